from odoo import fields, models
from odoo.tools import SQL


class StoredValueKpiReport(models.Model):
    """Card movements of one month, summed per company, store, point of sale and employee who served.

    Built from the ledger (``stored.value.ledger``). A reversal counts with the type of the entry it reverses
    and with that entry's amounts negated, so a reversed top-up takes its top-up back out of the month it is
    booked in. Amounts are in the company's currency, months the company's (its address's time zone).
    """

    _name = "stored.value.kpi.report"
    _inherit = "stored.value.report.mixin"
    _description = "Stored-Value KPIs"
    _auto = False
    _order = "month desc, company_id, crm_team_id, pos_config_id, employee_id"
    _rec_name = "month"

    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    crm_team_id = fields.Many2one("crm.team", string="Store / Sales Team", readonly=True)
    pos_config_id = fields.Many2one("pos.config", string="Point of Sale", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Served By", readonly=True)
    top_up_count = fields.Integer(string="Top-ups", readonly=True, help="Top-up entries, less those reversed.")
    top_up_amount = fields.Monetary(string="Topped Up", readonly=True, help="Principal paid in by top-ups.")
    bonus_given = fields.Monetary(
        readonly=True, help="Bonus credited: top-up bonuses, gifts and compensations, less those reversed."
    )
    principal_spent = fields.Monetary(string="Principal Redeemed", readonly=True, help="Principal used by spends.")
    bonus_spent = fields.Monetary(string="Bonus Redeemed", readonly=True, help="Bonus used by spends.")
    redeemed_amount = fields.Monetary(string="Redeemed", readonly=True, help="Principal and bonus used by spends.")
    bonus_cost_ratio = fields.Float(
        string="Bonus Cost Ratio (%)",
        readonly=True,
        aggregator="avg",
        help="Bonus redeemed per 100 of principal redeemed, worked out from the sums of the rows grouped.",
    )
    refund_to_wallet = fields.Monetary(
        string="Refunded to Card", readonly=True, help="Returned purchases credited back to the card."
    )
    cash_refund = fields.Monetary(
        string="Refunded in Cash",
        readonly=True,
        help="Principal taken off cards by cash refunds (the cash paid is less when spent bonus is deducted).",
    )
    bonus_expired = fields.Monetary(readonly=True, help="Bonus removed when it expired.")
    liability_change = fields.Monetary(
        string="Net Change in Liability",
        readonly=True,
        help="Sum of all principal movements: what the business owes its card holders more (or less) "
        "at the end of the month than at its start.",
    )
    bonus_balance_change = fields.Monetary(
        string="Net Change in Bonus", readonly=True, help="Sum of all bonus movements."
    )

    def _read_group_select(self, aggregate_spec, query):
        # An average of the rows' ratios weighs a small store like a big one: the ratio of the sums is right
        # at any grouping (the pattern of purchase.report's average price).
        if aggregate_spec == "bonus_cost_ratio:avg":
            return SQL(
                "SUM(%(bonus)s) * 100.0 / NULLIF(SUM(%(principal)s), 0)",
                bonus=self._field_to_sql(self._table, "bonus_spent", query),
                principal=self._field_to_sql(self._table, "principal_spent", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _query(self):
        return SQL(
            """WITH entries AS (
                   SELECT entry.company_id, entry.currency_id, entry.crm_team_id, entry.pos_config_id,
                          entry.employee_id, date_trunc('month', %(entry_date)s)::date AS month,
                          entry.principal_amount AS principal, entry.bonus_amount AS bonus,
                          -- a reversal counts as the entry it reverses, with opposite amounts
                          COALESCE(reversed.entry_type, entry.entry_type) AS kind,
                          CASE WHEN entry.entry_type = 'reversal' THEN -1 ELSE 1 END AS sign
                     FROM stored_value_ledger entry
                     JOIN (%(zones)s) zone ON zone.company_id = entry.company_id
                     LEFT JOIN stored_value_ledger reversed
                            ON reversed.id = entry.reversed_entry_id AND entry.entry_type = 'reversal'
               )
               SELECT ROW_NUMBER() OVER (
                          ORDER BY month, company_id, crm_team_id, pos_config_id, employee_id, currency_id
                      ) AS id,
                      month, company_id, currency_id, crm_team_id, pos_config_id, employee_id,
                      SUM(CASE WHEN kind = 'topup' THEN sign ELSE 0 END) AS top_up_count,
                      SUM(CASE WHEN kind = 'topup' THEN principal ELSE 0 END) AS top_up_amount,
                      SUM(CASE WHEN kind IN ('bonus', 'compensation') THEN bonus ELSE 0 END) AS bonus_given,
                      SUM(CASE WHEN kind = 'spend' THEN -principal ELSE 0 END) AS principal_spent,
                      SUM(CASE WHEN kind = 'spend' THEN -bonus ELSE 0 END) AS bonus_spent,
                      SUM(CASE WHEN kind = 'spend' THEN -principal - bonus ELSE 0 END) AS redeemed_amount,
                      SUM(CASE WHEN kind = 'spend' THEN -bonus ELSE 0 END) * 100.0
                          / NULLIF(SUM(CASE WHEN kind = 'spend' THEN -principal ELSE 0 END), 0) AS bonus_cost_ratio,
                      SUM(CASE WHEN kind = 'refund' THEN principal + bonus ELSE 0 END) AS refund_to_wallet,
                      SUM(CASE WHEN kind = 'cash_refund' THEN -principal ELSE 0 END) AS cash_refund,
                      SUM(CASE WHEN kind = 'bonus_expiry' THEN -bonus ELSE 0 END) AS bonus_expired,
                      SUM(principal) AS liability_change,
                      SUM(bonus) AS bonus_balance_change
                 FROM entries
                GROUP BY month, company_id, currency_id, crm_team_id, pos_config_id, employee_id""",
            entry_date=self._local_sql(SQL("entry.date"), SQL("zone.tz")),
            zones=self._company_zones_sql(),
        )
