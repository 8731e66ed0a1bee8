from odoo import fields, models


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    is_customer_feedback = fields.Boolean(
        string="Customer Feedback",
        help="Its answers score the customer (NPS, satisfaction), and detractors open complaint cases.",
    )
