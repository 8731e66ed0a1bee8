from odoo import fields, models
from odoo.tools import SQL


class LoyaltyMemberCohortReport(models.Model):
    """One customer of a company in one month since their first purchase there (month 0 is that month).

    Customers are grouped into cohorts by the month of their first purchase; a row exists for every month from
    the cohort's to the company's latest month with a purchase. Purchases are those of
    ``res.partner._loyalty_purchases_sql`` with a positive amount (refunds are not purchases). Every rate is
    the average of a per-row 0 or 100, so it stays right however the rows are grouped: retention is the
    share of the customers who bought in that month, churn the share who did not, the repeat purchase rate
    the share who had made at least two purchases by the end of that month. Whether a customer is a member,
    and their tier, are as they were in their cohort's month, so a cohort keeps its customers in every
    month. Months are the company's (its address's time zone).
    """

    _name = "loyalty.member.cohort.report"
    _inherit = "loyalty.member.report.mixin"
    _description = "Member Cohorts"
    _auto = False
    _order = "cohort_month desc, month_offset, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    is_member = fields.Boolean(
        string="Member at First Purchase",
        readonly=True,
        help="Was a member of the company (held one of its loyalty or stored-value cards) by the end of the "
        "month of their first purchase there.",
    )
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Tier at First Purchase",
        readonly=True,
        help="The tier the customer held at the end of the month of their first purchase.",
    )
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
               ), events AS (
                   -- the cohort's months, from the customer's first purchase to the company's latest month
                   SELECT cohorts.company_id, cohorts.partner_id, span.month::date AS month, cohorts.cohort_month,
                          0 AS purchases, NULL::date AS member_since, NULL::date AS member_until, 0 AS spans,
                          0 AS changes, NULL::int AS last_new_tier_id, NULL::int AS first_old_tier_id,
                          NULL::int AS tier_now
                     FROM cohorts JOIN company_end ON company_end.company_id = cohorts.company_id
                    CROSS JOIN LATERAL generate_series(
                          cohorts.cohort_month::timestamp, company_end.last_month::timestamp, interval '1 month'
                    ) AS span(month)
                   UNION ALL
                   SELECT company_id, partner_id, month, NULL, purchases, NULL, NULL, 0, 0, NULL, NULL, NULL
                     FROM monthly
                   UNION ALL
                   SELECT company_id, partner_id, NULL, NULL, 0, member_since, member_until, 1, 0, NULL, NULL, NULL
                     FROM (%(spans)s) spans
                   UNION ALL
                   SELECT company_id, partner_id, month, NULL, 0, NULL, NULL, 0,
                          changes, last_new_tier_id, first_old_tier_id, tier_now
                     FROM (%(tier_months)s) tier_months
               ), months AS (
                   SELECT company_id, partner_id, month, MIN(cohort_month) AS cohort_month,
                          SUM(purchases) AS purchases, MAX(member_since) AS member_since,
                          MAX(member_until) AS member_until, MAX(spans) AS spans, SUM(changes) AS changes,
                          MAX(last_new_tier_id) AS last_new_tier_id, MAX(first_old_tier_id) AS first_old_tier_id,
                          MAX(tier_now) AS tier_now
                     FROM events GROUP BY company_id, partner_id, month
               ), carried AS (
                   SELECT months.*, %(tier)s AS tier_id,
                          SUM(purchases) OVER so_far AS purchases_so_far,
                          MIN(cohort_month) OVER whole AS first_month,
                          MAX(spans) OVER whole AS has_span,
                          MAX(member_since) OVER whole AS since,
                          MAX(member_until) OVER whole AS until
                     FROM months
                   %(windows)s
               ), cohort AS (
                   -- whether the customer was a member, and their tier, at the end of their first purchase's month
                   SELECT carried.*,
                          COALESCE(has_span = 1 AND since <= first_month AND (until IS NULL OR until >= first_month),
                                   FALSE) AS member_then,
                          MAX(tier_id) FILTER (WHERE month = first_month) OVER (PARTITION BY company_id, partner_id)
                              AS tier_then
                     FROM carried
               )
               SELECT ROW_NUMBER() OVER (ORDER BY company_id, partner_id, month) AS id,
                      company_id, partner_id, member_then AS is_member,
                      CASE WHEN member_then THEN tier_then END AS loyalty_tier_id, cohort_month,
                      ((EXTRACT(YEAR FROM month) - EXTRACT(YEAR FROM cohort_month)) * 12
                       + EXTRACT(MONTH FROM month) - EXTRACT(MONTH FROM cohort_month))::int AS month_offset,
                      month, 1 AS member_count, (purchases > 0)::int AS retained_count,
                      (purchases_so_far >= 2)::int AS repeat_count, purchases AS purchase_count,
                      CASE WHEN purchases > 0 THEN 100.0 ELSE 0.0 END AS retention,
                      CASE WHEN purchases > 0 THEN 0.0 ELSE 100.0 END AS churn,
                      CASE WHEN purchases_so_far >= 2 THEN 100.0 ELSE 0.0 END AS repeat_rate
                 FROM cohort
                WHERE cohort_month IS NOT NULL""",
            purchases=self.env["res.partner"]._loyalty_purchases_sql(),
            spans=self._member_spans_sql(),
            tier_months=self._tier_months_sql(),
            tier=self._tier_at_month_end_sql(),
            windows=self._member_windows_sql(),
        )
