from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import SQL


class StoredValueFollowupPlan(models.Model):
    _inherit = "stored.value.followup.plan"

    feedback_criterion = fields.Selection(
        [("detractor", "Detractors"), ("open_case", "Open Complaints")],
        string="Feedback",
        help="回访: follow only the customers whose last NPS answer made them detractors, "
        "or who have an open complaint case.",
    )

    def _partner_domain(self):
        domain = super()._partner_domain()
        if self.feedback_criterion == "detractor":
            domain &= Domain("feedback_nps_category", "=", "detractor")
        elif self.feedback_criterion == "open_case":
            self.env["customer.feedback.case"].flush_model(["partner_id", "state", "company_id"])
            domain &= Domain(
                "id",
                "in",
                SQL(
                    "SELECT partner_id FROM customer_feedback_case "
                    "WHERE state IN ('new', 'in_progress') AND company_id = %s",
                    self.company_id.id,
                ),
            )
        return domain
