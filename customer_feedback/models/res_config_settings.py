from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    feedback_invitation_interval_days = fields.Integer(
        related="company_id.feedback_invitation_interval_days", readonly=False
    )
    feedback_resurvey_id = fields.Many2one(related="company_id.feedback_resurvey_id", readonly=False)
    feedback_compensation_ceiling = fields.Monetary(related="company_id.feedback_compensation_ceiling", readonly=False)
    feedback_compensation_points_ceiling = fields.Float(
        related="company_id.feedback_compensation_points_ceiling", readonly=False
    )
    feedback_csat_window_days = fields.Integer(
        string="Satisfaction Average Over (days)",
        config_parameter="customer_feedback.csat_window_days",
        default=90,
        help="A customer's satisfaction score is the average of their answers of this many last days.",
    )
