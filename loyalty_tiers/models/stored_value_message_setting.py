from odoo import fields, models


class StoredValueMessageSetting(models.Model):
    _inherit = "stored.value.message.setting"

    message_type = fields.Selection(
        selection_add=[
            ("points_expiring", "Points Expiring"),
            ("coupon_given", "Coupon Given"),
            ("birthday", "Birthday Greeting"),
            ("tier_upgrade", "Tier Upgrade"),
            ("tier_at_risk", "Coming Tier Downgrade"),
            ("referral_reward", "Referral Reward"),
        ],
        ondelete={
            "points_expiring": "cascade",
            "coupon_given": "cascade",
            "birthday": "cascade",
            "tier_upgrade": "cascade",
            "tier_at_risk": "cascade",
            "referral_reward": "cascade",
        },
    )
