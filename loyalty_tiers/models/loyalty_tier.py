from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import points_math
from .loyalty_program import COUPON_PROGRAM_TYPES


class LoyaltyTier(models.Model):
    """会员等级: one level of a loyalty programme, reached by thresholds over a rolling window.

    Members move up as soon as they reach a higher tier; they move down only at their review date,
    which comes ``grace_days`` after they entered (or were last confirmed in) their tier.
    """

    _name = "loyalty.tier"
    _inherit = ["pos.load.mixin"]
    _description = "Loyalty Tier"
    _order = "program_id, sequence, id"

    _sequence_unique = models.Constraint(
        "UNIQUE(program_id, sequence)", "Two tiers of a programme cannot share a level: change the sequence."
    )

    name = fields.Char(required=True, translate=True)
    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('program_type', '=', 'loyalty')]",
    )
    sequence = fields.Integer(string="Level", default=10, help="Tiers are ordered by level, lowest first.")
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    min_spend = fields.Monetary(
        string="Minimum Spend",
        help="Paid at the POS and invoiced over the window, card top-ups left out (they count as top-ups); "
        "0: not a criterion.",
    )
    min_points = fields.Float(string="Minimum Points Earned", help="Points earned over the window; 0: not a criterion.")
    min_balance = fields.Monetary(
        string="Minimum Stored Balance", help="What the member's stored-value cards hold now; 0: not a criterion."
    )
    min_topup = fields.Monetary(
        string="Minimum Top-ups", help="Principal topped up over the window; 0: not a criterion."
    )
    require_all = fields.Boolean(
        string="All Thresholds Required",
        help="Reached when every threshold set is met; otherwise when any one is.",
    )
    window_months = fields.Integer(
        string="Window (months)", default=12, help="Spend, points and top-ups count over this many months."
    )
    grace_days = fields.Integer(
        string="Grace Period (days)",
        default=365,
        help="A member keeps the tier at least this long; at the review date that follows, a member who no "
        "longer qualifies moves down.",
    )
    point_multiplier = fields.Float(default=1.0, help="Points earned by members of this tier are multiplied by this.")
    pricelist_id = fields.Many2one(
        "product.pricelist",
        help="Applied to members of this tier at the POS and in sales, unless they have a pricelist of their own.",
    )
    birthday_points = fields.Float(help="Points given once a year, when the member's birthday care starts.")
    birthday_coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Birthday Coupon",
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
        help="A coupon of this programme is given once a year with the birthday greeting.",
    )
    birthday_bonus = fields.Monetary(
        help="Bonus credited once a year on the member's stored-value card with the birthday greeting."
    )
    birthday_care_call = fields.Boolean(
        string="Personal Birthday Call",
        help="专属关怀: the member's salesperson (else the stored-value manager) gets a call to do on their birthday.",
    )
    welcome_points = fields.Float(help="Points given once a year to a member reaching this tier.")
    welcome_coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Welcome Coupon",
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
        help="A coupon of this programme is given once a year to a member reaching this tier.",
    )
    welcome_bonus = fields.Monetary(
        help="Bonus credited once a year on the stored-value card of a member reaching this tier."
    )
    member_count = fields.Integer(compute="_compute_member_count")

    @api.depends("program_id")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = tier.name

    def _compute_member_count(self):
        counts = dict(self.env["loyalty.card"]._read_group([("tier_id", "in", self.ids)], ["tier_id"], ["__count"]))
        for tier in self:
            tier.member_count = counts.get(tier, 0)

    @api.model
    def _load_pos_data_domain(self, data, config):
        return [("program_id", "in", config._get_program_ids().ids)]

    @api.model
    def _load_pos_data_fields(self, config):
        return ["name", "sequence", "program_id", "color", "point_multiplier", "pricelist_id"]

    def _thresholds(self):
        self.ensure_one()
        return {
            "spend": self.min_spend,
            "points": self.min_points,
            "balance": self.min_balance,
            "topup": self.min_topup,
        }

    def _is_reached(self, measures):
        self.ensure_one()
        return points_math.thresholds_met(self._thresholds(), measures, self.require_all)

    @api.constrains(
        "min_spend",
        "min_points",
        "min_balance",
        "min_topup",
        "window_months",
        "grace_days",
        "point_multiplier",
        "birthday_points",
        "birthday_bonus",
        "welcome_points",
        "welcome_bonus",
    )
    def _check_values(self):
        for tier in self:
            gifts = (tier.birthday_points, tier.birthday_bonus, tier.welcome_points, tier.welcome_bonus)
            if any(value < 0 for value in tier._thresholds().values()) or min(gifts) < 0:
                raise ValidationError(
                    self.env._(
                        "Tier “%(tier)s”: thresholds and gifts cannot be negative; use 0 for “not a criterion” "
                        "or “no gift”.",
                        tier=tier.name,
                    )
                )
            if tier.window_months < 1 or tier.grace_days < 0 or tier.point_multiplier <= 0:
                raise ValidationError(
                    self.env._(
                        "Tier “%(tier)s”: the window is at least one month, the grace period cannot be negative "
                        "and the point multiplier must be positive.",
                        tier=tier.name,
                    )
                )

    @api.constrains("program_id", "sequence", "min_spend", "min_points", "min_balance", "min_topup", "active")
    def _check_order(self):
        """Higher tiers ask for more: a threshold set on two tiers grows with the level, and no two tiers
        have the same entry conditions (a member would belong to both)."""
        for program in self.program_id:
            if program.program_type != "loyalty":
                raise ValidationError(
                    self.env._(
                        "Programme “%(program)s” is not a loyalty programme: tiers need points.",
                        program=program.name,
                    )
                )
            tiers = program._tiers_by_level()
            for lower_index, lower in enumerate(tiers):
                for higher in tiers[lower_index + 1 :]:
                    lower_thresholds, higher_thresholds = lower._thresholds(), higher._thresholds()
                    if lower_thresholds == higher_thresholds:
                        raise ValidationError(
                            self.env._(
                                "Tiers “%(lower)s” and “%(higher)s” overlap: they have the same thresholds.",
                                lower=lower.name,
                                higher=higher.name,
                            )
                        )
                    for measure, minimum in higher_thresholds.items():
                        if minimum > 0 and lower_thresholds[measure] >= minimum:
                            raise ValidationError(
                                self.env._(
                                    "Tier “%(higher)s” is above “%(lower)s” but asks for less or the same "
                                    "(%(measure)s %(higher_value)s ≤ %(lower_value)s): put the thresholds in order.",
                                    higher=higher.name,
                                    lower=lower.name,
                                    measure=self._fields[f"min_{measure}"]._description_string(self.env),
                                    higher_value=minimum,
                                    lower_value=lower_thresholds[measure],
                                )
                            )

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_tiers.loyalty_card_member_action")
        action["domain"] = [("tier_id", "=", self.id)]
        return action
