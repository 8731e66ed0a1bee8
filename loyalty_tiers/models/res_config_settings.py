from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_negative_points = fields.Boolean(related="company_id.loyalty_negative_points", readonly=False)
