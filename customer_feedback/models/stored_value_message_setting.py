from odoo import fields, models


class StoredValueMessageSetting(models.Model):
    _inherit = "stored.value.message.setting"

    message_type = fields.Selection(
        selection_add=[("survey_invitation", "Survey Invitation"), ("case_update", "Complaint Update")],
        ondelete={"survey_invitation": "cascade", "case_update": "cascade"},
    )
