from odoo import api, models

from odoo.addons.stored_value_crm.models.stored_value_message import MESSAGE_DEFAULTS


class StoredValueMessage(models.Model):
    _inherit = "stored.value.message"

    @api.model
    def _message_types(self):
        types = super()._message_types()
        types["survey_invitation"] = {
            # The email is Odoo's own survey invitation (see _send_email), with the answer's link.
            "email": "survey.mail_template_user_input_invite",
            "sms": "customer_feedback.sms_template_feedback_invitation",
            "summary": self.env._("Ask the customer how satisfied they were"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        types["case_update"] = {
            "email": "customer_feedback.mail_template_feedback_case_update",
            "sms": "customer_feedback.sms_template_feedback_case_update",
            "summary": self.env._("Tell the customer how their complaint stands"),
            "defaults": {**MESSAGE_DEFAULTS, "respect_quiet_hours": False},
        }
        return types

    def _send_email(self, record, spec):
        if self.message_type != "survey_invitation":
            return super()._send_email(record, spec)
        wizard = (
            self.env["survey.invite"]
            .sudo()
            .create({"survey_id": record.survey_id.id, "template_id": self.env.ref(spec["email"]).id})
        )
        return wizard.with_context(lang=record.partner_id.lang)._send_mail(record.user_input_id)
