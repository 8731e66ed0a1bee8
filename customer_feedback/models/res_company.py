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
