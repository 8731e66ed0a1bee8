from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_negative_points = fields.Boolean(related="company_id.loyalty_negative_points", readonly=False)
    loyalty_lifecycle_new_days = fields.Integer(related="company_id.loyalty_lifecycle_new_days", readonly=False)
    loyalty_lifecycle_growth_days = fields.Integer(related="company_id.loyalty_lifecycle_growth_days", readonly=False)
    loyalty_lifecycle_growth_percent = fields.Float(
        related="company_id.loyalty_lifecycle_growth_percent", readonly=False
    )
    loyalty_lifecycle_risk_factor = fields.Float(related="company_id.loyalty_lifecycle_risk_factor", readonly=False)
    loyalty_lifecycle_risk_min_days = fields.Integer(
        related="company_id.loyalty_lifecycle_risk_min_days", readonly=False
    )
    loyalty_lifecycle_dormant_days = fields.Integer(related="company_id.loyalty_lifecycle_dormant_days", readonly=False)
    loyalty_lifecycle_lost_days = fields.Integer(related="company_id.loyalty_lifecycle_lost_days", readonly=False)
    loyalty_lifecycle_winback_days = fields.Integer(related="company_id.loyalty_lifecycle_winback_days", readonly=False)
    loyalty_clv_horizon_months = fields.Integer(related="company_id.loyalty_clv_horizon_months", readonly=False)
    loyalty_clv_top_percent = fields.Float(related="company_id.loyalty_clv_top_percent", readonly=False)
