from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackMessages(CustomerFeedbackCommon, SMSCase):
    """Survey invitations and complaint updates go by the channels the company chose and the customer
    agreed to, like every other message of the suite."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stored.value.message.setting"].action_open_settings()
        Setting = cls.env["stored.value.message.setting"]
        cls.invitation_setting = Setting.search(
            [("company_id", "=", cls.company.id), ("message_type", "=", "survey_invitation")]
        )
        cls.case_setting = Setting.search([("company_id", "=", cls.company.id), ("message_type", "=", "case_update")])
        cls.company.write({"stored_value_quiet_start": 0.0, "stored_value_quiet_end": 0.0})

    def test_a_survey_invitation_is_texted_with_its_link_to_who_agreed(self):
        self.invitation_setting.write({"by_email": False, "by_sms": True})
        self.holder._stored_value_set_consent({"sms": True}, "pos")
        self._create_rule(purchase_type="invoice", channel="email", delay_hours=0, survey_id=self.csat_survey.id)
        self.make_invoice(150)
        self.make_invoice(150, partner=self.other_holder)
        Invitation = self.env["customer.feedback.invitation"]
        with self.mockSMSGateway(), self.cron_commits_suspended():
            Invitation._cron_send_invitations()
        invitation = Invitation.search([("partner_id", "=", self.holder.id)])
        self.assertEqual(invitation.state, "sent")
        self.assertSMSOutgoing(self.holder, "+8613800138000", content=invitation.user_input_id.access_token)
        other = Invitation.search([("partner_id", "=", self.other_holder.id)])
        self.assertEqual(other.state, "cancelled", "no SMS consent: the invitation reaches nobody")
        self.assertIn("No consent", other.not_sent_reason)

    def test_a_complaint_is_told_when_received_and_when_resolved(self):
        self.case_setting.write({"by_email": True, "by_sms": True})
        self.holder._stored_value_set_consent({"sms": True}, "pos")
        with self.mockSMSGateway():
            case = (
                self.env["customer.feedback.case"]
                .with_user(self.feedback_user)
                .create({"name": "Waited 40 minutes", "partner_id": self.holder.id})
            )
            self.assertSMSOutgoing(self.holder, "+8613800138000", content="we received your complaint")
        case.resolution_note = "<p>Apologised and offered a free treatment.</p>"
        with self.mockSMSGateway():
            case.with_user(self.feedback_user).action_resolve()
            self.assertSMSOutgoing(
                self.holder, "+8613800138000", content=f"your complaint {case.reference} is resolved"
            )
        mails = self.env["mail.mail"].search([("model", "=", case._name), ("res_id", "=", case.id)], order="id")
        self.assertEqual(len(mails), 2)
        self.assertIn("received", mails[0].subject)
        self.assertIn("free treatment", mails[1].body_html)
