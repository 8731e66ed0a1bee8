from odoo.tests import HttpCase, tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackPortal(CustomerFeedbackCommon, HttpCase):
    """Customers follow their own complaint cases on the portal."""

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
