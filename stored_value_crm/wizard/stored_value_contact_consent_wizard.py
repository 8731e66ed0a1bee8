from odoo import api, fields, models


class StoredValueContactConsentWizard(models.TransientModel):
    """Record what the customer says about being contacted by email, SMS and phone (back office)."""

    _name = "stored.value.contact.consent.wizard"
    _description = "Record a Customer's Contact Consent"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    consent_email = fields.Boolean(string="Email")
    consent_sms = fields.Boolean(string="SMS")
    consent_phone = fields.Boolean(string="Phone Calls")
    note = fields.Char(help="How the customer said so (a call, a signed form...). Kept in the consent history.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id") or self.env.context.get("active_id"))
        if partner.exists():
            values["partner_id"] = partner.id
            for channel in ("email", "sms", "phone"):
                values[f"consent_{channel}"] = partner[f"stored_value_consent_{channel}"]
        return values

    def action_record(self):
        self.ensure_one()
        self.partner_id._stored_value_set_consent(
            {"email": self.consent_email, "sms": self.consent_sms, "phone": self.consent_phone},
            "backoffice",
            note=self.note,
        )
        return {"type": "ir.actions.act_window_close"}
