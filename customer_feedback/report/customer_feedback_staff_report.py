from odoo import fields, models
from odoo.tools import SQL

STAFF_ROW_KINDS = [
    ("answer", "Feedback Answer"),
    ("top_up", "Top-up Sold"),
    ("followup", "Follow-up Done"),
    ("case", "Complaint Resolved"),
]


class CustomerFeedbackStaffReport(models.Model):
    """One thing an employee did in a month: a customer they served answered, a top-up they sold, a
    follow-up call they did, a complaint they resolved.

    Every rate is an average over the rows it concerns (the other rows leave it empty), so it stays right
    however the rows are grouped: the NPS of the answers (100 a promoter, 0 a passive, -100 a detractor),
    their satisfaction, the share of follow-ups done by their due date (100 or 0) and the hours a
    complaint took to resolve. Answers and top-ups name the employee who served (``employee_id`` of the
    answer and of the ledger entry); follow-ups and complaints name the employee of the responsible user
    in the plan's or the case's company. Months are the company's (its address's time zone).
    """

    _name = "customer.feedback.staff.report"
    _inherit = "stored.value.report.mixin"
    _description = "Staff KPIs"
    _auto = False
    _order = "month desc, employee_id"
    _rec_name = "employee_id"

    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    kind = fields.Selection(STAFF_ROW_KINDS, string="What", readonly=True)
    answer_count = fields.Integer(string="Answers", readonly=True)
    promoter_count = fields.Integer(string="Promoters", readonly=True)
    detractor_count = fields.Integer(string="Detractors", readonly=True)
    nps = fields.Float(
        string="NPS", readonly=True, aggregator="avg", help="Promoters minus detractors, in % of the NPS answers."
    )
    csat_score = fields.Float(string="Satisfaction", readonly=True, aggregator="avg")
    top_up_count = fields.Integer(string="Top-ups Sold", readonly=True)
    top_up_amount = fields.Monetary(string="Topped Up", readonly=True)
    followup_count = fields.Integer(string="Follow-ups Done", readonly=True)
    followup_on_time_count = fields.Integer(string="Follow-ups on Time", readonly=True)
    followup_on_time_rate = fields.Float(
        string="Follow-ups on Time (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the follow-ups done on or before their due date.",
    )
    case_count = fields.Integer(string="Complaints Resolved", readonly=True)
    resolution_hours = fields.Float(
        string="Hours to Resolve", readonly=True, aggregator="avg", digits=(16, 1), help="Average per complaint."
    )

    def _employee_of_user_sql(self, user, company):
        """The employee of ``user`` in ``company`` (SQL expressions): the one the ledger would name."""
        return SQL(
            """(SELECT employee.id FROM hr_employee employee
                 WHERE employee.user_id = %(user)s AND employee.company_id = %(company)s
                 ORDER BY employee.active DESC, employee.id LIMIT 1)""",
            user=user,
            company=company,
        )

    def _query(self):
        Answers = self.env["customer.feedback.report"]
        return SQL(
            """WITH answers AS (SELECT %(answer_select)s FROM %(answer_from)s WHERE %(answer_where)s),
               rows AS (
                   SELECT answers.id * 4 AS id, 'answer' AS kind, answers.date AS date,
                          COALESCE(answers.company_id, employee.company_id) AS company_id, answers.employee_id,
                          1 AS answer_count, answers.promoter_count, answers.detractor_count,
                          answers.nps, answers.csat_score, 0 AS top_up_count, 0 AS top_up_amount,
                          0 AS followup_count, 0 AS followup_on_time_count, NULL::float AS followup_on_time_rate,
                          0 AS case_count, NULL::float AS resolution_hours
                     FROM answers LEFT JOIN hr_employee employee ON employee.id = answers.employee_id
                    UNION ALL
                   -- a reversed top-up is taken back from the employee who reversed it, as in the KPIs
                   SELECT entry.id * 4 + 1, 'top_up', entry.date, entry.company_id, entry.employee_id,
                          0, 0, 0, NULL, NULL,
                          CASE WHEN entry.entry_type = 'reversal' THEN -1 ELSE 1 END, entry.principal_amount,
                          0, 0, NULL, 0, NULL
                     FROM stored_value_ledger entry
                     LEFT JOIN stored_value_ledger reversed ON reversed.id = entry.reversed_entry_id
                    WHERE entry.entry_type = 'topup'
                       OR (entry.entry_type = 'reversal' AND reversed.entry_type = 'topup')
                    UNION ALL
                   SELECT activity.id * 4 + 2, 'followup', activity.date_done, plan.company_id,
                          %(activity_employee)s,
                          0, 0, 0, NULL, NULL, 0, 0,
                          1, (activity.date_done <= activity.date_deadline)::int,
                          CASE WHEN activity.date_done <= activity.date_deadline THEN 100.0 ELSE 0.0 END,
                          0, NULL
                     FROM mail_activity activity
                     JOIN stored_value_followup_plan plan ON plan.id = activity.stored_value_followup_plan_id
                    WHERE NOT activity.active AND activity.date_done IS NOT NULL
                    UNION ALL
                   SELECT complaint.id * 4 + 3, 'case', complaint.resolved_date, complaint.company_id,
                          %(case_employee)s,
                          0, 0, 0, NULL, NULL, 0, 0, 0, 0, NULL,
                          1, complaint.resolution_hours
                     FROM customer_feedback_case complaint
                    WHERE complaint.resolved_date IS NOT NULL
               )
               -- a follow-up's day is a date already; the other rows' moments are taken in the company's zone
               SELECT rows.id, rows.kind,
                      date_trunc('month', CASE WHEN rows.kind = 'followup' THEN rows.date ELSE %(local_date)s END)::date
                          AS month,
                      rows.company_id,
                      company.currency_id, rows.employee_id, rows.answer_count, rows.promoter_count,
                      rows.detractor_count, rows.nps, rows.csat_score, rows.top_up_count, rows.top_up_amount,
                      rows.followup_count, rows.followup_on_time_count, rows.followup_on_time_rate,
                      rows.case_count, rows.resolution_hours
                 FROM rows JOIN res_company company ON company.id = rows.company_id
                 JOIN (%(zones)s) zone ON zone.company_id = rows.company_id""",
            local_date=self._local_sql(SQL("rows.date"), SQL("zone.tz")),
            zones=self._company_zones_sql(),
            answer_select=Answers._select(),
            answer_from=Answers._from(),
            answer_where=Answers._where(),
            activity_employee=self._employee_of_user_sql(SQL("activity.user_id"), SQL("plan.company_id")),
            case_employee=self._employee_of_user_sql(SQL("complaint.user_id"), SQL("complaint.company_id")),
        )
