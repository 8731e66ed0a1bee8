from odoo import models

from ..tools import masking

# Tracked fields whose old and new values a masked user sees masked in a member's or card's chatter.
MASKED_TRACKINGS = {
    "res.partner": {"phone": masking.mask_phone, "email": masking.mask_email},
    "stored.value.card": {"name": masking.mask_card_number},
}


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def _tracking_value_format_model(self, model):
        """The chatter's field changes; a member's phone, email and card numbers masked as the record is."""
        formatted = super()._tracking_value_format_model(model)
        masks = MASKED_TRACKINGS.get(model)
        if not masks or not formatted:
            return formatted
        trackings = {tracking.id: tracking for tracking in self}
        records = self.env[model].browse(self.mail_message_id.mapped("res_id")).exists()
        Reveal = self.env["stored.value.reveal"]
        hidden = Reveal._hidden_partner_ids(records) if model == "res.partner" else Reveal._hidden_card_ids(records)
        for values in formatted:
            tracking = trackings[values["id"]]
            mask = masks.get(tracking.field_id.name)
            if mask and tracking.mail_message_id.res_id in hidden:
                for key in ("oldValue", "newValue"):
                    if isinstance(values[key], str):
                        values[key] = mask(values[key])
        return formatted
