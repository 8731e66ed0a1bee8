from odoo import api, models


class StoredValueMessage(models.Model):
    _inherit = "stored.value.message"

    @api.model
    def _message_types(self):
        types = super()._message_types()
        types["points_expiring"] = {
            "email": "loyalty_tiers.mail_template_points_expiring",
            "sms": "loyalty_tiers.sms_template_points_expiring",
            "summary": self.env._("Remind the member that some of their points expire soon"),
            "defaults": {**types["low_balance"]["defaults"], "min_gap_hours": 168},
        }
        types["coupon_given"] = {
            "email": "loyalty_tiers.mail_template_coupon_given",
            "sms": "loyalty_tiers.sms_template_coupon_given",
            "summary": self.env._("Tell the customer the code of the coupon they were given"),
            "defaults": {**types["low_balance"]["defaults"], "min_gap_hours": 0},
        }
        return types
