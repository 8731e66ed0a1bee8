from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyMemberMonthlyReport(models.Model):
    """One member of a company in one month, from the month they became a member there to this month.

    Members are the partners who are members now (``res.partner._member_sql``: an active loyalty card or an
    open stored-value card); each counts at a company from the month of their first card there, a card of a
    loyalty programme of that company or a stored-value card of it, whichever was issued first (any state,
    by the card's creation date). Purchases are those of ``res.partner._loyalty_purchases_sql``: a member is
    active in a month when they made a purchase (a positive amount) at that company in it. The home store
    is the point of sale of the member's first POS purchase at that company, empty for a member who has only
    bought in the back office. The tier is the one the member held at the end of the month, as the tier
    history tells it. Every rate is the average of a per-row 0 or 100, so it stays right however the rows
    are grouped.
    """

    _name = "loyalty.member.monthly.report"
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
        Partner = self.env["res.partner"]
        return SQL(
            """WITH purchases AS (%(purchases)s),
               cards AS (
                   SELECT program.company_id, holder.commercial_partner_id AS partner_id, card.create_date
                     FROM loyalty_card card
                     JOIN loyalty_program program ON program.id = card.program_id
                     JOIN res_partner holder ON holder.id = card.partner_id
                    WHERE program.program_type = 'loyalty' AND %(is_member)s
                   UNION ALL
                   SELECT wallet.company_id, holder.commercial_partner_id, wallet.create_date
                     FROM stored_value_card wallet JOIN res_partner holder ON holder.id = wallet.partner_id
                    WHERE %(is_member)s
               ), members AS (
                   SELECT company_id, partner_id, date_trunc('month', MIN(create_date))::date AS member_since
                     FROM cards WHERE company_id IS NOT NULL GROUP BY company_id, partner_id
               ), months AS (
                   SELECT members.*, span.month::date AS month
                     FROM members CROSS JOIN LATERAL generate_series(
                          members.member_since::timestamp, date_trunc('month', CURRENT_DATE), interval '1 month'
                     ) AS span(month)
               ), monthly AS (
                   SELECT company_id, partner_id, date_trunc('month', date)::date AS month,
                          COUNT(*) FILTER (WHERE amount > 0) AS purchases, SUM(amount) AS spend
                     FROM purchases WHERE partner_id IS NOT NULL
                    GROUP BY company_id, partner_id, date_trunc('month', date)
               ), home AS (
                   SELECT DISTINCT ON (company_id, partner_id) company_id, partner_id, pos_config_id
                     FROM purchases
                    WHERE partner_id IS NOT NULL AND pos_config_id IS NOT NULL AND amount > 0
                    ORDER BY company_id, partner_id, date, pos_config_id
               ), tier_now AS (
                   SELECT DISTINCT ON (program.company_id, holder.commercial_partner_id)
                          program.company_id, holder.commercial_partner_id AS partner_id, card.tier_id
                     FROM loyalty_card card
                     JOIN loyalty_program program ON program.id = card.program_id
                     JOIN res_partner holder ON holder.id = card.partner_id
                    WHERE program.program_type = 'loyalty' AND card.active
                    ORDER BY program.company_id, holder.commercial_partner_id, card.tier_id IS NULL, card.id
               ), changes AS (
                   SELECT history.id, history.company_id, holder.commercial_partner_id AS partner_id, history.date,
                          history.old_tier_id, history.new_tier_id
                     FROM loyalty_tier_history history JOIN res_partner holder ON holder.id = history.partner_id
               ), tiers AS (
                   -- The tier at the month's end: the last change on or before it, else the first after it.
                   SELECT months.company_id, months.partner_id, months.month,
                          COUNT(change.id) FILTER (WHERE change.date < months.month + interval '1 month')
                              AS changes_before,
                          (ARRAY_AGG(change.new_tier_id ORDER BY change.date DESC, change.id DESC)
                               FILTER (WHERE change.date < months.month + interval '1 month'))[1] AS tier_before,
                          COUNT(change.id) AS changes,
                          (ARRAY_AGG(change.old_tier_id ORDER BY change.date, change.id)
                               FILTER (WHERE change.date >= months.month + interval '1 month'))[1] AS tier_after
                     FROM months
                     JOIN changes change ON change.company_id = months.company_id
                                        AND change.partner_id = months.partner_id
                    GROUP BY months.company_id, months.partner_id, months.month
               )
               SELECT ROW_NUMBER() OVER (ORDER BY months.company_id, months.partner_id, months.month) AS id,
                      months.company_id, company.currency_id, months.partner_id, months.month,
                      months.member_since, home.pos_config_id,
                      CASE WHEN tiers.changes_before > 0 THEN tiers.tier_before
                           WHEN tiers.changes > 0 THEN tiers.tier_after
                           ELSE tier_now.tier_id END AS loyalty_tier_id,
                      1 AS member_count, (months.month = months.member_since)::int AS new_member_count,
                      (COALESCE(monthly.purchases, 0) > 0)::int AS active_member_count,
                      COALESCE(monthly.purchases, 0) AS purchase_count, COALESCE(monthly.spend, 0) AS spend,
                      CASE WHEN monthly.purchases > 0 THEN 100.0 ELSE 0.0 END AS active_rate
                 FROM months
                 JOIN res_company company ON company.id = months.company_id
            LEFT JOIN monthly ON monthly.company_id = months.company_id AND monthly.partner_id = months.partner_id
                             AND monthly.month = months.month
            LEFT JOIN home ON home.company_id = months.company_id AND home.partner_id = months.partner_id
            LEFT JOIN tier_now ON tier_now.company_id = months.company_id AND tier_now.partner_id = months.partner_id
            LEFT JOIN tiers ON tiers.company_id = months.company_id AND tiers.partner_id = months.partner_id
                           AND tiers.month = months.month""",
            purchases=Partner._loyalty_purchases_sql(pos_config=True),
            is_member=Partner._member_sql("holder"),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
