from odoo import api, models

from odoo.addons.stored_value_crm.models.stored_value_message import MESSAGE_DEFAULTS


class StoredValueMessage(models.Model):
    _inherit = "stored.value.message"

    @api.model
    def _message_types(self):
        types = super()._message_types()
        types["points_expiring"] = {
            "email": "loyalty_tiers.mail_template_points_expiring",
            "sms": "loyalty_tiers.sms_template_points_expiring",
            "summary": self.env._("Remind the member that some of their points expire soon"),
            "defaults": {**MESSAGE_DEFAULTS, "min_gap_hours": 168},
        }
        types["coupon_given"] = {
            "email": "loyalty_tiers.mail_template_coupon_given",
            "sms": "loyalty_tiers.sms_template_coupon_given",
            "summary": self.env._("Tell the customer the code of the coupon they were given"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        types["birthday"] = {
            "email": "loyalty_tiers.mail_template_birthday",
            "sms": "loyalty_tiers.sms_template_birthday",
            "summary": self.env._("Wish the member a happy birthday"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        types["tier_upgrade"] = {
            "email": "loyalty_tiers.mail_template_tier_upgrade",
            "sms": "loyalty_tiers.sms_template_tier_upgrade",
            "summary": self.env._("Congratulate the member on their new tier"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        types["tier_at_risk"] = {
            "email": "loyalty_tiers.mail_template_tier_at_risk",
            "sms": "loyalty_tiers.sms_template_tier_at_risk",
            "summary": self.env._("Tell the member what they need to keep their tier"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        types["referral_reward"] = {
            "email": "loyalty_tiers.mail_template_referral_reward",
            "sms": "loyalty_tiers.sms_template_referral_reward",
            "summary": self.env._("Thank the member for their referral and tell them their reward"),
            "defaults": dict(MESSAGE_DEFAULTS),
        }
        return types
