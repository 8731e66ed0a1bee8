import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    feedback_invitation_interval_days = fields.Integer(
        string="Days Between Invitations",
        default=30,
        help="A customer is invited to a survey at most once in this many days, whatever the rules say.",
    )
    feedback_resurvey_id = fields.Many2one(
        "survey.survey",
        string="Survey After Resolution",
        domain=[("is_customer_feedback", "=", True)],
        help="The short survey sent to the customer when their complaint case is resolved; "
        "the complaint follow-up survey when empty.",
    )
    feedback_compensation_ceiling = fields.Monetary(
        string="Compensation Ceiling",
        currency_field="currency_id",
        default=100.0,
        help="A wallet credit for a complaint above this amount is booked only once another feedback manager "
        "approves it; 0: every wallet credit is approved.",
    )
    feedback_compensation_points_ceiling = fields.Float(
        string="Points Compensation Ceiling",
        default=1000.0,
        help="Bonus points for a complaint above this many are booked only once another feedback manager "
        "approves them; 0: all bonus points are approved.",
    )

    @api.constrains("feedback_compensation_ceiling", "feedback_compensation_points_ceiling")
    def _check_feedback_compensation_ceilings(self):
        for company in self:
            ceilings = (company.feedback_compensation_ceiling, company.feedback_compensation_points_ceiling)
            if not all(math.isfinite(ceiling) and ceiling >= 0 for ceiling in ceilings):
                raise ValidationError(
                    self.env._(
                        "%(company)s: a compensation ceiling is a positive number; 0 has every compensation approved.",
                        company=company.name,
                    )
                )

    @api.constrains("feedback_invitation_interval_days")
    def _check_feedback_invitation_interval_days(self):
        for company in self:
            if company.feedback_invitation_interval_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the days between invitations cannot be negative; use 0 for no limit.",
                        company=company.name,
                    )
                )

    def _feedback_resurvey(self):
        self.ensure_one()
        return self.feedback_resurvey_id or self.env.ref(
            "customer_feedback.survey_complaint_followup", raise_if_not_found=False
        )
