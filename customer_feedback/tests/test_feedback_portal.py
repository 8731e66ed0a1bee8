from odoo.tests import HttpCase, tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestSurveyTour(CustomerFeedbackCommon, HttpCase):
    """The customer opens the survey from their receipt's link, answers it, and the shop sees the result."""

    def test_customer_answers_the_survey_of_their_receipt(self):
        self._create_rule()
        self.holder.user_id = self.feedback_user
        order, _synced = self.sell_at_pos(self.holder)
        url = order.feedback_survey_url
        self.assertTrue(url)
        # The receipt's QR code encodes the absolute link; the browser opens its path on the test server.
        path = url[url.index("/survey/start/") :]
        self.start_tour(path, "customer_feedback_survey_tour")
        invitation = order.feedback_invitation_id
        self.assertEqual(invitation.state, "answered")
        self.assertEqual((self.holder.feedback_nps_score, self.holder.feedback_nps_category), (2, "detractor"))
        case = self.env["customer.feedback.case"].search([("partner_id", "=", self.holder.id)])
        self.assertEqual(len(case), 1)
        self.assertEqual((case.origin, case.pos_order_id, case.severity), ("survey", order, "high"))
        self.assertEqual(case.user_id, self.feedback_user)
        self.assertIn("rude", case.description)

    def test_portal_customer_follows_own_complaints(self):
        Case = self.env["customer.feedback.case"]
        own = Case.create({"name": "Rude cashier", "partner_id": self.portal_partner.id})
        other = Case.create({"name": "Cold coffee", "partner_id": self.holder.id})
        self.authenticate("fb_portal", "fb_portal_pw")
        listing = self.url_open("/my/feedback-cases")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(own.reference, listing.text)
        self.assertNotIn(other.reference, listing.text)
        page = self.url_open(f"/my/feedback-cases/{own.id}")
        self.assertIn("Rude cashier", page.text)
        refused = self.url_open(f"/my/feedback-cases/{other.id}")
        self.assertNotIn("Cold coffee", refused.text)
