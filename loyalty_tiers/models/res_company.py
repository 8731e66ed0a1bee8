from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_negative_points = fields.Boolean(
        string="Points May Go Negative",
        help="When goods are returned after the points they earned were spent, the member's card goes below "
        "zero (paid back by later earnings). Otherwise it goes down to zero and the return is flagged for a "
        "manager, as are orders spending points the card no longer holds.",
    )
    # Member life cycle thresholds (see res.partner._lifecycle_stage_sql)
    loyalty_lifecycle_new_days = fields.Integer(
        string="New For (days)", default=30, help="A member is new during this many days after their first purchase."
    )
    loyalty_lifecycle_growth_days = fields.Integer(
        string="Spend Trend Period (days)",
        default=90,
        help="A member is growing when they spent more in the last period of this many days than in the one before.",
    )
    loyalty_lifecycle_growth_percent = fields.Float(
        string="Spend Trend Increase (%)", default=20.0, help="By how much more, at least, for a member to be growing."
    )
    loyalty_lifecycle_risk_factor = fields.Float(
        string="At Risk After (× usual interval)",
        default=2.0,
        help="A member is at risk when their last purchase is older than their usual interval between purchases "
        "times this factor.",
    )
    loyalty_lifecycle_risk_min_days = fields.Integer(
        string="At Risk After at Least (days)",
        default=30,
        help="Never at risk sooner than this many days after the last purchase; also the limit of members who "
        "bought only once.",
    )
    loyalty_lifecycle_dormant_days = fields.Integer(
        string="Dormant Without Purchase (days)",
        default=180,
        help="Days without a purchase after which a member is dormant.",
    )
    loyalty_lifecycle_lost_days = fields.Integer(
        string="Lost Without Purchase (days)", default=365, help="Days without a purchase after which a member is lost."
    )
    loyalty_lifecycle_winback_days = fields.Integer(
        string="Won Back For (days)",
        default=60,
        help="A dormant or lost member who buys again is won back for this many days.",
    )
    loyalty_clv_horizon_months = fields.Integer(
        string="Lifetime Value Horizon (months)", default=12, help="The predicted lifetime value covers this period."
    )
    loyalty_clv_top_percent = fields.Float(
        string="High Potential Share (%)",
        default=20.0,
        help="Members whose predicted lifetime value is in this top share of the company's members, while their "
        "tier is below the top tier of its programme, are flagged as high potential.",
    )

    @api.constrains(
        "loyalty_lifecycle_new_days",
        "loyalty_lifecycle_growth_days",
        "loyalty_lifecycle_growth_percent",
        "loyalty_lifecycle_risk_factor",
        "loyalty_lifecycle_risk_min_days",
        "loyalty_lifecycle_dormant_days",
        "loyalty_lifecycle_lost_days",
        "loyalty_lifecycle_winback_days",
        "loyalty_clv_horizon_months",
        "loyalty_clv_top_percent",
    )
    def _check_loyalty_lifecycle_thresholds(self):
        for company in self:
            periods = (
                company.loyalty_lifecycle_new_days,
                company.loyalty_lifecycle_growth_days,
                company.loyalty_lifecycle_risk_min_days,
                company.loyalty_lifecycle_winback_days,
                company.loyalty_clv_horizon_months,
            )
            if min(periods) < 1 or company.loyalty_lifecycle_risk_factor <= 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the member life cycle periods and the at-risk factor must be positive.",
                        company=company.name,
                    )
                )
            if not 0 < company.loyalty_lifecycle_dormant_days < company.loyalty_lifecycle_lost_days:
                raise ValidationError(
                    self.env._(
                        "%(company)s: a member must be dormant (after %(dormant)s days) before being lost "
                        "(after %(lost)s days).",
                        company=company.name,
                        dormant=company.loyalty_lifecycle_dormant_days,
                        lost=company.loyalty_lifecycle_lost_days,
                    )
                )
            if not 0 < company.loyalty_clv_top_percent <= 100 or company.loyalty_lifecycle_growth_percent < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the high potential share is a percentage between 0 and 100, and the spend "
                        "increase cannot be negative.",
                        company=company.name,
                    )
                )
