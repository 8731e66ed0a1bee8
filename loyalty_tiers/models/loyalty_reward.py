from odoo import fields, models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    tier_ids = fields.Many2many(
        "loyalty.tier",
        string="Only for Tiers",
        help="A member-only offer: only members of these tiers can take it (at the POS, in sales and on the "
        "portal); empty: everyone.",
    )

    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "tier_ids"]

    def _tier_allows(self, partner):
        """Whether ``partner`` may take this reward: it is open to all, or they hold one of its tiers."""
        self.ensure_one()
        if not self.tier_ids:
            return True
        return bool(partner.sudo().loyalty_member_card_ids.filtered("active").tier_id & self.tier_ids)
