from odoo import api, models
from odoo.tools import SQL


class LoyaltyMemberReportMixin(models.AbstractModel):
    """What the member reports share: who was a member of which company when, and with what tier.

    The reports work per member and month without joining member-months to purchases or to tier changes
    on several columns (the planner misjudges such joins on large data and loops): their rows are one
    stream of member months, purchases and tier changes, grouped by company, member and month, and what
    carries over from month to month is read with window functions over each member's months
    (``so_far`` from their first month to this one, ``whole`` all of them, see
    :meth:`_member_windows_sql`).
    """

    _name = "loyalty.member.report.mixin"
    _inherit = "stored.value.report.mixin"
    _description = "Member Report (SQL view)"
    # What the views read, flushed before any query of them.
    _depends = {
        "res.partner": ["commercial_partner_id", "tz"],
        "res.company": ["partner_id"],
        "loyalty.program": ["company_id", "program_type"],
        "loyalty.card": ["partner_id", "program_id", "active", "tier_id"],
        "loyalty.tier.history": ["partner_id", "company_id", "date", "old_tier_id", "new_tier_id"],
        "stored.value.card": ["partner_id", "company_id", "state"],
        "pos.order": ["partner_id", "company_id", "config_id", "date_order", "state", "amount_total", "account_move"],
        "account.move": ["commercial_partner_id", "company_id", "invoice_date", "state", "amount_total_signed"],
    }

    @api.model
    def _member_spans_sql(self):
        """Each member's span at each company as ``company_id, partner_id, member_since, member_until`` rows.

        A partner is a member of a company from the month of their first card there (a card of a loyalty
        programme of the company or a stored-value card of it, in any state) to the month the last of those
        cards was closed (archived, for a loyalty card; its last change tells when), ``member_until`` being
        empty while one is open. Months are the company's; cards count for the holder's commercial partner.
        """
        return SQL(
            """SELECT cards.company_id, cards.partner_id,
                      date_trunc('month', MIN(%(opened)s))::date AS member_since,
                      CASE WHEN BOOL_OR(cards.closed IS NULL) THEN NULL
                           ELSE date_trunc('month', MAX(%(closed)s))::date END AS member_until
                 FROM (SELECT program.company_id, holder.commercial_partner_id AS partner_id,
                              card.create_date AS opened, CASE WHEN NOT card.active THEN card.write_date END AS closed
                         FROM loyalty_card card
                         JOIN loyalty_program program ON program.id = card.program_id
                         JOIN res_partner holder ON holder.id = card.partner_id
                        WHERE program.program_type = 'loyalty'
                       UNION ALL
                       SELECT wallet.company_id, holder.commercial_partner_id, wallet.create_date,
                              CASE WHEN wallet.state = 'closed' THEN wallet.write_date END
                         FROM stored_value_card wallet JOIN res_partner holder ON holder.id = wallet.partner_id
                      ) cards
                 JOIN (%(zones)s) zone ON zone.company_id = cards.company_id
                GROUP BY cards.company_id, cards.partner_id""",
            opened=self._local_sql(SQL("cards.opened"), SQL("zone.tz")),
            closed=self._local_sql(SQL("cards.closed"), SQL("zone.tz")),
            zones=self._company_zones_sql(),
        )

    @api.model
    def _tier_months_sql(self):
        """The members' tier changes, as ``company_id, partner_id, month, changes, last_new_tier_id,
        first_old_tier_id, tier_now`` rows: per month with changes, their number, the tier the last one
        gave and the tier the first one started from; and one row per member without a month whose
        ``tier_now`` is the tier of their card now."""
        return SQL(
            """SELECT history.company_id, holder.commercial_partner_id AS partner_id,
                      date_trunc('month', %(changed)s)::date AS month, COUNT(*) AS changes,
                      (ARRAY_AGG(history.new_tier_id ORDER BY history.date DESC, history.id DESC))[1]
                          AS last_new_tier_id,
                      (ARRAY_AGG(history.old_tier_id ORDER BY history.date, history.id))[1] AS first_old_tier_id,
                      NULL::int AS tier_now
                 FROM loyalty_tier_history history
                 JOIN res_partner holder ON holder.id = history.partner_id
                 JOIN (%(zones)s) zone ON zone.company_id = history.company_id
                GROUP BY history.company_id, holder.commercial_partner_id, date_trunc('month', %(changed)s)
               UNION ALL
              (SELECT DISTINCT ON (program.company_id, holder.commercial_partner_id)
                      program.company_id, holder.commercial_partner_id, NULL::date, 0, NULL::int, NULL::int,
                      card.tier_id
                 FROM loyalty_card card
                 JOIN loyalty_program program ON program.id = card.program_id
                 JOIN res_partner holder ON holder.id = card.partner_id
                WHERE program.program_type = 'loyalty' AND card.active AND program.company_id IS NOT NULL
                ORDER BY program.company_id, holder.commercial_partner_id, card.tier_id IS NULL, card.id)""",
            changed=self._local_sql(SQL("history.date"), SQL("zone.tz")),
            zones=self._company_zones_sql(),
        )

    @api.model
    def _tier_at_month_end_sql(self):
        """The tier the member held at the end of the row's month, over rows of one member and month that
        carry the columns of :meth:`_tier_months_sql`: the tier of their last change on or before the
        month's end, else the tier their first change started from, else the tier of their card now."""
        return SQL(
            """CASE WHEN COUNT(*) FILTER (WHERE changes > 0) OVER so_far > 0
                    THEN (ARRAY_AGG(last_new_tier_id) FILTER (WHERE changes > 0) OVER so_far)[
                             COUNT(*) FILTER (WHERE changes > 0) OVER so_far]
                    WHEN COUNT(*) FILTER (WHERE changes > 0) OVER whole > 0
                    THEN (ARRAY_AGG(first_old_tier_id) FILTER (WHERE changes > 0) OVER whole)[1]
                    ELSE MAX(tier_now) OVER whole END"""
        )

    @api.model
    def _member_windows_sql(self):
        """The ``WINDOW`` clause of the windows over a member's months (a row without a month comes last)."""
        return SQL(
            """WINDOW so_far AS (PARTITION BY company_id, partner_id ORDER BY month ROWS UNBOUNDED PRECEDING),
                      whole AS (PARTITION BY company_id, partner_id ORDER BY month
                                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"""
        )
