from odoo import api, fields, models
from odoo.exceptions import ValidationError

SEVERITIES = [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")]


class CustomerFeedbackSla(models.Model):
    """The service level of a severity: how long a complaint may stay unresolved, and who is told when late."""

    _name = "customer.feedback.sla"
    _description = "Complaint Service Level"
    _order = "company_id, resolution_hours"
    _check_company_auto = True

    _severity_unique = models.Constraint(
        "UNIQUE(company_id, severity)", "A company has one service level per severity."
    )

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    severity = fields.Selection(SEVERITIES, required=True)
    resolution_hours = fields.Integer(
        string="Resolve Within (hours)", required=True, default=72, help="The deadline of a new case."
    )
    reminder_hours = fields.Integer(
        string="Remind Before (hours)",
        default=24,
        help="The responsible gets a reminder this many hours before the deadline; 0: no reminder.",
    )
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Who is told when a case is late; the feedback managers when empty.",
    )

    @api.depends("severity", "resolution_hours")
    def _compute_name(self):
        severities = dict(self._fields["severity"]._description_selection(self.env))
        for sla in self:
            sla.name = self.env._(
                "%(severity)s: %(hours)s hours", severity=severities.get(sla.severity, ""), hours=sla.resolution_hours
            )

    @api.constrains("resolution_hours", "reminder_hours")
    def _check_hours(self):
        for sla in self:
            if sla.resolution_hours < 1:
                raise ValidationError(
                    self.env._("Service level %(sla)s: a case needs at least one hour to be resolved.", sla=sla.name)
                )
            if not 0 <= sla.reminder_hours < sla.resolution_hours:
                raise ValidationError(
                    self.env._(
                        "Service level %(sla)s: the reminder comes between 0 and %(hours)s hours before the deadline.",
                        sla=sla.name,
                        hours=sla.resolution_hours,
                    )
                )
