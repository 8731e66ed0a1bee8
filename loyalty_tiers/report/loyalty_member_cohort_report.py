from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyMemberCohortReport(models.Model):
    """One customer of a company in one month since their first purchase there (month 0 is that month).

    Customers are grouped into cohorts by the month of their first purchase; a row exists for every month from
    the cohort's to the company's latest month with a purchase. Purchases are those of
    ``res.partner._loyalty_purchases_sql`` with a positive amount (refunds are not purchases). Every rate is
    the average of a per-row 0 or 100, so it stays right however the rows are grouped: retention is the
    share of the customers who bought in that month, churn the share who did not, the repeat purchase rate
    the share who had made at least two purchases by the end of that month.
    """

    _name = "loyalty.member.cohort.report"
    _description = "Member Cohorts"
    _auto = False
    _order = "cohort_month desc, month_offset, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    is_member = fields.Boolean(
        string="Is a Member", readonly=True, help="Holds a card of a loyalty programme or an open stored-value card."
    )
    loyalty_tier_id = fields.Many2one("loyalty.tier", string="Member Tier", readonly=True, help="The tier now.")
    cohort_month = fields.Date(string="First Purchase Month", readonly=True)
    month_offset = fields.Integer(
        string="Months Since First Purchase", readonly=True, aggregator=None, help="0 is the first purchase's month."
    )
    month = fields.Date(readonly=True)
    member_count = fields.Integer(string="Customers", readonly=True)
    retained_count = fields.Integer(string="Bought That Month", readonly=True)
    repeat_count = fields.Integer(string="Repeat Customers", readonly=True)
    purchase_count = fields.Integer(string="Purchases That Month", readonly=True)
    retention = fields.Float(
        string="Retention (%)", readonly=True, aggregator="avg", help="Share of the cohort who bought that month."
    )
    churn = fields.Float(
        string="Churn (%)", readonly=True, aggregator="avg", help="Share of the cohort who did not buy that month."
    )
    repeat_rate = fields.Float(
        string="Repeat Purchase Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the cohort who had made at least two purchases by the end of that month.",
    )

    def _query(self):
        return SQL(
            """WITH purchases AS (%(purchases)s),
               monthly AS (
                   SELECT company_id, partner_id, date_trunc('month', date)::date AS month, COUNT(*) AS purchases
                     FROM purchases
                    WHERE partner_id IS NOT NULL AND amount > 0
                    GROUP BY company_id, partner_id, date_trunc('month', date)
               ), cohorts AS (
                   SELECT company_id, partner_id, MIN(month) AS cohort_month
                     FROM monthly GROUP BY company_id, partner_id
               ), company_end AS (
                   SELECT company_id, MAX(month) AS last_month FROM monthly GROUP BY company_id
               ), months AS (
                   SELECT cohorts.company_id, cohorts.partner_id, cohorts.cohort_month, span.month_offset,
                          (cohorts.cohort_month + span.month_offset * interval '1 month')::date AS month
                     FROM cohorts JOIN company_end USING (company_id)
                    CROSS JOIN LATERAL generate_series(
                          0,
                          ((EXTRACT(YEAR FROM company_end.last_month) - EXTRACT(YEAR FROM cohorts.cohort_month)) * 12
                           + EXTRACT(MONTH FROM company_end.last_month) - EXTRACT(MONTH FROM cohorts.cohort_month))::int
                    ) AS span(month_offset)
               ), counted AS (
                   SELECT months.*, COALESCE(monthly.purchases, 0) AS purchases,
                          SUM(COALESCE(monthly.purchases, 0)) OVER (
                              PARTITION BY months.company_id, months.partner_id ORDER BY months.month_offset
                          ) AS purchases_so_far
                     FROM months
                     LEFT JOIN monthly ON monthly.company_id = months.company_id
                                      AND monthly.partner_id = months.partner_id AND monthly.month = months.month
               )
               SELECT ROW_NUMBER() OVER (ORDER BY counted.company_id, counted.partner_id, counted.month_offset) AS id,
                      counted.company_id, counted.partner_id, %(is_member)s AS is_member,
                      partner.loyalty_tier_id, counted.cohort_month, counted.month_offset, counted.month,
                      1 AS member_count, (counted.purchases > 0)::int AS retained_count,
                      (counted.purchases_so_far >= 2)::int AS repeat_count, counted.purchases AS purchase_count,
                      CASE WHEN counted.purchases > 0 THEN 100.0 ELSE 0.0 END AS retention,
                      CASE WHEN counted.purchases > 0 THEN 0.0 ELSE 100.0 END AS churn,
                      CASE WHEN counted.purchases_so_far >= 2 THEN 100.0 ELSE 0.0 END AS repeat_rate
                 FROM counted JOIN res_partner partner ON partner.id = counted.partner_id""",
            purchases=self.env["res.partner"]._loyalty_purchases_sql(),
            is_member=self.env["res.partner"]._member_sql("partner"),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
