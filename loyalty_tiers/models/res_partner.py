from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

RFM_WINDOW_MONTHS = 24  # purchases older than this do not count in the segments
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential", "Potential Loyalists"),
    ("new", "New Customers"),
    ("cant_lose", "Can't Lose Them"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_birthday = fields.Date(string="Birthday", help="Gives the birthday points and multiplier of the tier.")
    loyalty_member_card_ids = fields.One2many("loyalty.card", "partner_id", string="Loyalty Cards")
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Member Tier",
        compute="_compute_loyalty_tier_id",
        store=True,
        index="btree_not_null",
        help="The highest tier of the member's loyalty cards.",
    )
    loyalty_points = fields.Float(compute="_compute_loyalty_status")
    loyalty_points_expiring = fields.Float(string="Points Expiring Soon", compute="_compute_loyalty_status")
    loyalty_points_expiring_date = fields.Date(string="Points Expire On", compute="_compute_loyalty_status")
    loyalty_next_tier_id = fields.Many2one("loyalty.tier", string="Next Tier", compute="_compute_loyalty_status")
    loyalty_tier_progress = fields.Float(string="Progress to Next Tier (%)", compute="_compute_loyalty_status")
    # Each company segments its own customers: the scores are company-dependent.
    rfm_recency_score = fields.Integer(
        string="Recency Score", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_frequency_score = fields.Integer(
        string="Frequency Score", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary Score", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS, string="Value Segment", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_last_order_date = fields.Date(
        string="Last Purchase", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_order_count = fields.Integer(
        string="Purchases", company_dependent=True, readonly=True, groups="base.group_user"
    )
    rfm_amount = fields.Float(
        string="Purchased Amount",
        company_dependent=True,
        readonly=True,
        groups="base.group_user",
        help="In the company currency.",
    )
    rfm_currency_id = fields.Many2one("res.currency", compute="_compute_rfm_currency_id", groups="base.group_user")
    rfm_date = fields.Date(string="Segmented On", company_dependent=True, readonly=True, groups="base.group_user")

    @api.depends("loyalty_member_card_ids.tier_id", "loyalty_member_card_ids.active")
    def _compute_loyalty_tier_id(self):
        for partner in self:
            tiers = partner.loyalty_member_card_ids.filtered("active").tier_id
            partner.loyalty_tier_id = tiers.sorted(lambda tier: (tier.sequence, tier.id))[-1:]

    @api.depends("loyalty_tier_id")
    @api.depends_context("company")
    def _compute_loyalty_status(self):
        cards = self.env["loyalty.card"]._member_cards(self._origin, self.env.company)
        for partner in self:
            card = cards.filtered(lambda card, partner=partner: card.partner_id == partner._origin).sorted(
                lambda card: (card.tier_id.sequence, card.id)
            )[-1:]
            partner.loyalty_points = card.points
            partner.loyalty_points_expiring = card.points_expiring
            partner.loyalty_points_expiring_date = card.points_expiring_date
            partner.loyalty_next_tier_id = card.next_tier_id
            partner.loyalty_tier_progress = card.tier_progress

    @api.depends_context("company")
    def _compute_rfm_currency_id(self):
        self.rfm_currency_id = self.env.company.currency_id

    @api.depends("loyalty_tier_id.pricelist_id")
    def _compute_product_pricelist(self):
        """A member's tier gives its pricelist, unless the member was given a pricelist of their own."""
        result = super()._compute_product_pricelist()
        company = self.env.company
        # The company's default pricelist is everybody's, not a member's own.
        company_default = self.env["ir.default"]._get(
            "res.partner", "specific_property_product_pricelist", company_id=company.id
        )
        for partner in self:
            pricelist = partner.loyalty_tier_id.pricelist_id
            own = partner.with_company(company).specific_property_product_pricelist
            if pricelist and pricelist.company_id in (company, company.browse()) and own.id in (False, company_default):
                partner.property_product_pricelist = pricelist
        return result

    @api.model
    def _load_pos_data_fields(self, config):
        return [
            *super()._load_pos_data_fields(config),
            "loyalty_tier_id",
            "loyalty_points",
            "loyalty_points_expiring",
            "loyalty_points_expiring_date",
            "loyalty_next_tier_id",
            "loyalty_tier_progress",
        ]

    # ------------------------------------------------------------------
    # RFM segments
    # ------------------------------------------------------------------

    def _rfm_scores_sql(self, company, today, window_months):
        """The RFM scores of every customer of ``company`` who bought in the window, as one query.

        Purchases are paid POS orders and posted customer invoices (an invoiced POS order counts once).
        Each score is the customer's quintile (5: best) among all of them; equal figures score the same.
        """
        cutoff = today - relativedelta(months=window_months)
        return SQL(
            """WITH purchases AS (
                    SELECT buyer.commercial_partner_id AS partner_id, pos.date_order::date AS date,
                           pos.amount_total / COALESCE(NULLIF(pos.currency_rate, 0), 1) AS amount
                      FROM pos_order pos JOIN res_partner buyer ON buyer.id = pos.partner_id
                     WHERE pos.state IN ('paid', 'done') AND pos.company_id = %(company)s
                       AND pos.date_order >= %(cutoff)s
                    UNION ALL
                    SELECT move.commercial_partner_id, move.invoice_date, move.amount_total_signed
                      FROM account_move move
                     WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
                       AND move.company_id = %(company)s AND move.invoice_date >= %(cutoff)s
                       AND NOT EXISTS (SELECT 1 FROM pos_order invoiced WHERE invoiced.account_move = move.id)
                ), totals AS (
                    SELECT partner_id, MAX(date) AS last_date, COUNT(*) FILTER (WHERE amount > 0) AS frequency,
                           SUM(amount) AS amount
                      FROM purchases WHERE partner_id IS NOT NULL GROUP BY partner_id
                ), scores AS (
                    SELECT partner_id, last_date, frequency, amount,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY last_date))::int AS recency,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY frequency))::int AS frequency_score,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY amount))::int AS monetary
                      FROM totals
                )
                SELECT partner_id, last_date, frequency, amount, recency, frequency_score, monetary,
                       CASE WHEN recency >= 4 AND (frequency_score + monetary) >= 8 THEN 'champions'
                            WHEN recency >= 3 AND (frequency_score + monetary) >= 6 THEN 'loyal'
                            WHEN recency >= 4 AND frequency <= 1 THEN 'new'
                            WHEN recency >= 3 THEN 'potential'
                            WHEN recency = 1 AND (frequency_score + monetary) >= 8 THEN 'cant_lose'
                            WHEN (frequency_score + monetary) >= 6 THEN 'at_risk'
                            WHEN recency = 2 THEN 'hibernating'
                            ELSE 'lost' END AS segment
                  FROM scores""",
            company=company.id,
            cutoff=cutoff,
        )

    def _rfm_snapshot_name(self, company, today, window_months):
        return f"rfm_scores_{company.id}_{today:%Y%m%d}_{window_months}"

    def _rfm_snapshot(self, company, today, window_months):
        """A temporary table of today's scores, ranked once per run instead of once per batch."""
        name = self._rfm_snapshot_name(company, today, window_months)
        table = SQL.identifier(name)
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", f"pg_temp.{name}"))
        if not self.env.cr.fetchone()[0]:
            self.env.cr.execute(
                SQL("CREATE TEMPORARY TABLE %s AS %s", table, self._rfm_scores_sql(company, today, window_months))
            )
            self.env.cr.execute(SQL("CREATE INDEX ON %s (partner_id)", table))
            self.env.cr.execute(SQL("ANALYZE %s", table))
        return table

    def _compute_rfm_batch(self, company, today, batch_size, window_months=RFM_WINDOW_MONTHS):
        """Score the next ``batch_size`` customers of ``company`` not segmented today; return how many.

        Customers who bought in the window are scored; those segmented before who no longer did are
        lost. Each row is marked segmented today by the same statement, so a killed run resumes. The
        scores are written for ``company`` only, in the company-dependent columns.
        """
        key = str(company.id)

        def company_value(column, value):
            return SQL(
                "%(column)s = COALESCE(partner.%(column)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(value)s)",
                column=SQL.identifier(column),
                key=key,
                value=value,
            )

        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH rfm AS (SELECT * FROM %(scores)s),
                    todo AS (
                        SELECT partner.id FROM res_partner partner LEFT JOIN rfm ON rfm.partner_id = partner.id
                         WHERE (rfm.partner_id IS NOT NULL OR partner.rfm_segment->>%(key)s IS NOT NULL)
                           AND (partner.rfm_date->>%(key)s IS NULL OR (partner.rfm_date->>%(key)s)::date < %(today)s)
                         ORDER BY partner.id LIMIT %(limit)s
                    )
                UPDATE res_partner partner SET %(values)s
                  FROM todo LEFT JOIN rfm ON rfm.partner_id = todo.id
                 WHERE partner.id = todo.id""",
                scores=self._rfm_snapshot(company, today, window_months),
                key=key,
                today=today,
                limit=batch_size,
                values=SQL(", ").join(
                    [
                        company_value("rfm_recency_score", SQL("COALESCE(rfm.recency, 0)")),
                        company_value("rfm_frequency_score", SQL("COALESCE(rfm.frequency_score, 0)")),
                        company_value("rfm_monetary_score", SQL("COALESCE(rfm.monetary, 0)")),
                        company_value("rfm_segment", SQL("COALESCE(rfm.segment, 'lost')")),
                        company_value(
                            "rfm_last_order_date",
                            SQL("COALESCE(rfm.last_date::text, partner.rfm_last_order_date->>%s)", key),
                        ),
                        company_value("rfm_order_count", SQL("COALESCE(rfm.frequency, 0)")),
                        company_value("rfm_amount", SQL("COALESCE(rfm.amount, 0)")),
                        company_value("rfm_date", SQL("%s::date::text", today)),
                    ]
                ),
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model(
            [
                "rfm_recency_score",
                "rfm_frequency_score",
                "rfm_monetary_score",
                "rfm_segment",
                "rfm_last_order_date",
                "rfm_order_count",
                "rfm_amount",
                "rfm_date",
            ]
        )
        return count

    @api.model
    def _cron_compute_rfm(self, batch_size=1000):
        """Segment the customers of every company (the current one first) by recency, frequency and amount,
        in committed batches."""
        today = fields.Date.context_today(self)
        others = self.env["res.company"].sudo().search([("id", "!=", self.env.company.id)])
        for company in self.env.company | others:
            while done := self._compute_rfm_batch(company, today, batch_size):
                if not self.env["ir.cron"]._commit_progress(done):
                    return
            snapshot = self._rfm_snapshot_name(company, today, RFM_WINDOW_MONTHS)
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(snapshot)))
