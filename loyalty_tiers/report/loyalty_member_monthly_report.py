from odoo import fields, models
from odoo.tools import SQL


class LoyaltyMemberMonthlyReport(models.Model):
    """One member of a company in one month, from the month they became a member there to this month, or
    to the month they stopped being one (``loyalty.member.report.mixin._member_spans_sql``).

    Purchases are those of ``res.partner._loyalty_purchases_sql``: a member is active in a month when they
    made a purchase (a positive amount) at that company in it. The home store is the point of sale of the
    member's first POS purchase at that company, empty for a member who has only bought in the back office.
    The tier is the one the member held at the end of the month, as the tier history tells it. Months are
    the company's (its address's time zone). Every rate is the average of a per-row 0 or 100, so it stays
    right however the rows are grouped.
    """

    _name = "loyalty.member.monthly.report"
    _inherit = "loyalty.member.report.mixin"
    _description = "Members by Month"
    _auto = False
    _order = "month desc, company_id, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True, help="The company's currency.")
    partner_id = fields.Many2one("res.partner", string="Member", readonly=True)
    month = fields.Date(readonly=True, help="The first day of the month.")
    member_since = fields.Date(readonly=True, help="The month of the member's first card at this company.")
    pos_config_id = fields.Many2one(
        "pos.config",
        string="Home Store",
        readonly=True,
        help="The point of sale of the member's first purchase at a point of sale of this company; empty for a "
        "member who has only bought in the back office (invoices) or not at all.",
    )
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Tier at Month End",
        readonly=True,
        help="The tier the member held at the end of the month: the tier of their last change on or before "
        "it, else the tier their first later change started from, else the card's tier now.",
    )
    member_count = fields.Integer(string="Members", readonly=True, help="Each member counts once in each month.")
    new_member_count = fields.Integer(
        string="New Members", readonly=True, help="Members whose first card at this company was issued that month."
    )
    active_member_count = fields.Integer(
        string="Active Members", readonly=True, help="Members who made at least one purchase that month."
    )
    purchase_count = fields.Integer(
        string="Purchases",
        readonly=True,
        help="Paid point of sale orders and posted customer invoices that month (an invoiced order counts once; "
        "refunds are not purchases).",
    )
    spend = fields.Monetary(
        readonly=True,
        help="What the member's purchases that month came to, less their refunds, in the company's currency.",
    )
    active_rate = fields.Float(
        string="Active Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the members who made at least one purchase that month.",
    )

    def _query(self):
        return SQL(
            """WITH purchases AS (%(purchases)s),
               events AS (
                   -- the member's months, from their first card's to their last card's or this one
                   SELECT spans.company_id, spans.partner_id, span.month::date AS month, 1 AS member,
                          spans.member_since, 0 AS purchases, 0 AS spend, NULL::int AS store, NULL::date AS bought,
                          0 AS changes, NULL::int AS last_new_tier_id, NULL::int AS first_old_tier_id,
                          NULL::int AS tier_now
                     FROM (%(spans)s) spans JOIN (%(zones)s) zone ON zone.company_id = spans.company_id
                    CROSS JOIN LATERAL generate_series(
                          spans.member_since::timestamp,
                          COALESCE(spans.member_until::timestamp, date_trunc('month', %(now)s)),
                          interval '1 month'
                    ) AS span(month)
                   UNION ALL
                   SELECT company_id, partner_id, date_trunc('month', date)::date, 0, NULL, (amount > 0)::int,
                          amount, CASE WHEN amount > 0 THEN pos_config_id END, date, 0, NULL, NULL, NULL
                     FROM purchases WHERE partner_id IS NOT NULL
                   UNION ALL
                   SELECT company_id, partner_id, month, 0, NULL, 0, 0, NULL, NULL,
                          changes, last_new_tier_id, first_old_tier_id, tier_now
                     FROM (%(tier_months)s) tier_months
               ), months AS (
                   SELECT company_id, partner_id, month, MAX(member) AS member, MIN(member_since) AS member_since,
                          SUM(purchases) AS purchases, SUM(spend) AS spend,
                          (ARRAY_AGG(store ORDER BY bought, store) FILTER (WHERE store IS NOT NULL))[1] AS first_store,
                          SUM(changes) AS changes, MAX(last_new_tier_id) AS last_new_tier_id,
                          MAX(first_old_tier_id) AS first_old_tier_id, MAX(tier_now) AS tier_now
                     FROM events GROUP BY company_id, partner_id, month
               ), carried AS (
                   SELECT months.*, %(tier)s AS tier_id,
                          (ARRAY_AGG(first_store) FILTER (WHERE first_store IS NOT NULL) OVER whole)[1] AS home_store
                     FROM months
                   %(windows)s
               )
               SELECT ROW_NUMBER() OVER (ORDER BY carried.company_id, carried.partner_id, carried.month) AS id,
                      carried.company_id, company.currency_id, carried.partner_id, carried.month,
                      carried.member_since, carried.home_store AS pos_config_id, carried.tier_id AS loyalty_tier_id,
                      1 AS member_count, (carried.month = carried.member_since)::int AS new_member_count,
                      (carried.purchases > 0)::int AS active_member_count, carried.purchases AS purchase_count,
                      carried.spend, CASE WHEN carried.purchases > 0 THEN 100.0 ELSE 0.0 END AS active_rate
                 FROM carried JOIN res_company company ON company.id = carried.company_id
                WHERE carried.member = 1""",
            purchases=self.env["res.partner"]._loyalty_purchases_sql(pos_config=True),
            spans=self._member_spans_sql(),
            zones=self._company_zones_sql(),
            now=self._local_sql(SQL("now() AT TIME ZONE 'UTC'"), SQL("zone.tz")),
            tier_months=self._tier_months_sql(),
            tier=self._tier_at_month_end_sql(),
            windows=self._member_windows_sql(),
        )
