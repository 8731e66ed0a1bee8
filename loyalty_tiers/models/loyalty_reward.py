from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .loyalty_program import COUPON_PROGRAM_TYPES


class LoyaltyReward(models.Model):
    """A reward may be for members of some tiers only, and a reward of a points programme may be offered
    in the points shop (积分商城): a member exchanges its points cost for a coupon or gift card of another
    programme, issued at once."""

    _inherit = "loyalty.reward"

    points_shop = fields.Boolean(
        string="In the Points Shop",
        help="Members may exchange the points this reward needs for a coupon or gift card, on the portal "
        "and at the POS.",
    )
    points_shop_program_id = fields.Many2one(
        "loyalty.program",
        string="Issues a Code of",
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
        ondelete="restrict",
        help="The coupon or gift-card programme whose code a redemption in the points shop issues.",
    )
    tier_ids = fields.Many2many(
        "loyalty.tier",
        string="Only for Tiers",
        help="A member-only offer: only members of these tiers can take it (at the POS, in sales, on the "
        "portal and in the points shop); empty: everyone.",
    )
    points_shop_value = fields.Float(
        string="Code Value",
        help="What the issued code holds: the gift card's amount, or the coupon's points; 0: what the "
        "programme's dearest reward needs.",
    )

    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "tier_ids"]

    @api.model
    def _load_pos_data_domain(self, data, config):
        # A reward of the points shop is exchanged for a code, never taken on an order.
        return Domain.AND([super()._load_pos_data_domain(data, config), [("points_shop", "=", False)]])

    @api.constrains("points_shop", "points_shop_program_id", "points_shop_value", "required_points", "program_id")
    def _check_points_shop(self):
        for reward in self.filtered("points_shop"):
            program = reward.points_shop_program_id
            if reward.program_id.program_type != "loyalty" or program.program_type not in COUPON_PROGRAM_TYPES:
                raise ValidationError(
                    self.env._(
                        "Reward “%(reward)s”: only a reward of a loyalty programme that names the coupon or "
                        "gift-card programme it issues can be in the points shop.",
                        reward=reward.description,
                    )
                )
            if reward.required_points <= 0 or reward.points_shop_value < 0:
                raise ValidationError(
                    self.env._(
                        "Reward “%(reward)s”: a reward of the points shop must cost points and cannot issue a "
                        "negative value.",
                        reward=reward.description,
                    )
                )
            if program.company_id and program.company_id != reward.company_id:
                raise ValidationError(
                    self.env._(
                        "Reward “%(reward)s”: programme “%(program)s” belongs to another company.",
                        reward=reward.description,
                        program=program.name,
                    )
                )

    def _tier_allows(self, partner):
        """Whether ``partner`` may take this reward: it is open to all, or they hold one of its tiers."""
        self.ensure_one()
        # sudo: whoever sells (a salesperson) may not read tiers; only whether they match is used.
        tiers = self.sudo().tier_ids
        if not tiers:
            return True
        return bool(partner.sudo().loyalty_member_card_ids.filtered("active").tier_id & tiers)
