import base64
import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackPrivacy(CustomerFeedbackCommon):
    """Consent decides who gets a survey by email; the export and the anonymisation cover the feedback."""

    def test_survey_invitations_wait_for_email_consent(self):
        self._create_rule(purchase_type="invoice", channel="email", delay_hours=0, survey_id=self.csat_survey.id)
        self.holder._stored_value_set_consent({"email": False}, "portal")
        self.make_invoice(150)
        invitation = self.env["customer.feedback.invitation"].search([("partner_id", "=", self.holder.id)])
        before = self.env["mail.mail"].search([("recipient_ids", "in", self.holder.ids)])
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)), self.cron_commits_suspended():
            invitation._cron_send_invitations()
        self.assertEqual((invitation.state, invitation.not_sent_reason), ("cancelled", "No consent to emails"))
        self.assertEqual(self.env["mail.mail"].search([("recipient_ids", "in", self.holder.ids)]), before)

    def test_resolved_complaint_without_consent_sends_no_resurvey(self):
        self.holder._stored_value_set_consent({"email": False}, "backoffice")
        case = self.env["customer.feedback.case"].create({"name": "Cold coffee", "partner_id": self.holder.id})
        case.action_start()
        case.resolution_note = "<p>Refunded the coffee.</p>"
        case.action_resolve()
        self.assertEqual(case.resurvey_invitation_id.state, "cancelled")
        self.assertIn("Satisfaction survey not sent", case.message_ids[:1].body)

    def test_export_holds_cards_points_surveys_and_cases(self):
        card = self._create_card(state="active")
        self.top_up(card, 200)
        program = self.env["loyalty.program"].create(
            {"name": "Members' points", "program_type": "loyalty", "company_id": self.company.id}
        )
        loyalty_card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": self.holder.id})
        loyalty_card.sudo().points += 40
        self.answer(self.holder, nps=2, reason="The cashier was rude.")  # a detractor: opens a case
        with self.assertRaises(AccessError):
            self.holder.with_user(self.feedback_manager).action_stored_value_privacy_export()
        action = self.holder.with_user(self.sv_manager).action_stored_value_privacy_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        data = json.loads(base64.b64decode(attachment.datas))
        self.assertEqual([row["name"] for row in data["stored_value_cards"]], [card.name])
        self.assertEqual([row["amount"] for row in data["stored_value_ledger"]], [200])
        self.assertEqual([row["points"] for row in data["loyalty_cards"]], [40])
        self.assertEqual(len(data["complaint_cases"]), 1)
        self.assertEqual(data["survey_answers"][0]["feedback_nps_score"], 2)
        self.assertIn("The cashier was rude.", json.dumps(data["survey_answers"], ensure_ascii=False))
        self.assertEqual(data["feedback_scores"][0]["feedback_nps_score"], 2)

    def test_anonymisation_detaches_the_survey_answers_and_keeps_the_cases(self):
        answer = self.answer(self.holder, nps=2, reason="The cashier was rude.")
        case = answer.feedback_case_ids
        self.holder.with_user(self.sv_manager).action_stored_value_anonymise()
        self.assertFalse(answer.partner_id or answer.email)
        self.assertEqual(answer.feedback_nps_score, 2, "the answer still counts in the survey's results")
        self.assertEqual(case.partner_id, self.holder, "the case stays, on the anonymised customer")
        self.assertFalse(self.holder.feedback_nps_score)
        self.assertFalse(self.holder.stored_value_consent_email)

    def test_case_updates_email_the_customer_only_with_consent(self):
        case = self.env["customer.feedback.case"].create({"name": "Lost umbrella", "partner_id": self.holder.id})
        case.message_subscribe(partner_ids=self.holder.ids)

        def emailed(body):
            message = case.with_user(self.feedback_user).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            return message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id

        self.assertIn(self.holder, emailed("We found your umbrella."))
        self.holder._stored_value_set_consent({"email": False}, "portal")
        self.assertNotIn(self.holder, emailed("It is at the front desk."))
