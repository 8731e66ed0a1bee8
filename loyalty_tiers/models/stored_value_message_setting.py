from odoo import fields, models


class StoredValueMessageSetting(models.Model):
    _inherit = "stored.value.message.setting"

    message_type = fields.Selection(
        selection_add=[("points_expiring", "Points Expiring"), ("coupon_given", "Coupon Given")],
        ondelete={"points_expiring": "cascade", "coupon_given": "cascade"},
    )
