from odoo import fields, models
from odoo.tools import SQL

AGEING_BUCKETS = [
    ("0_90", "0-90 Days"),
    ("90_180", "91-180 Days"),
    ("180_365", "181-365 Days"),
    ("over_365", "Over 365 Days"),
]


class StoredValueBalanceAgeingReport(models.Model):
    """The balance of one open card (active or frozen), by how long it has not moved.

    Days idle count from the card's last movement (its creation if it never moved) to today. The principal
    is what the business owes: summed per company it is the stored-value liability. The breakage estimate
    is the principal of cards idle for more than 365 days, the money holders are unlikely to come back
    for; bonus is left out of it, since unspent bonus is owed to nobody.
    """

    _name = "stored.value.balance.ageing.report"
    _inherit = "stored.value.report.mixin"
    _description = "Unspent Balance Ageing"
    _auto = False
    _order = "idle_days desc, card_id"
    _rec_name = "card_id"

    card_id = fields.Many2one("stored.value.card", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection([("active", "Active"), ("frozen", "Frozen")], readonly=True)
    last_movement_date = fields.Datetime(string="Last Movement", readonly=True)
    idle_days = fields.Integer(string="Days Idle", readonly=True, aggregator="avg")
    ageing_bucket = fields.Selection(AGEING_BUCKETS, string="Idle For", readonly=True)
    card_count = fields.Integer(string="Cards", readonly=True)
    principal_balance = fields.Monetary(string="Principal (Liability)", readonly=True)
    bonus_balance = fields.Monetary(string="Bonus", readonly=True)
    balance = fields.Monetary(readonly=True)
    breakage_estimate = fields.Monetary(
        readonly=True, help="Principal of the cards idle for more than 365 days: likely never to be spent."
    )

    def _query(self):
        return SQL(
            """WITH idle AS (
                   SELECT card.*, CURRENT_DATE - COALESCE(card.last_movement_date, card.create_date)::date AS days
                     FROM stored_value_card card
                    WHERE card.state IN ('active', 'frozen') AND card.balance != 0
               )
               SELECT idle.id, idle.id AS card_id, idle.partner_id, idle.company_id, idle.currency_id, idle.state,
                      idle.last_movement_date, idle.days AS idle_days,
                      CASE WHEN idle.days <= 90 THEN '0_90' WHEN idle.days <= 180 THEN '90_180'
                           WHEN idle.days <= 365 THEN '180_365' ELSE 'over_365' END AS ageing_bucket,
                      1 AS card_count, idle.principal_balance, idle.bonus_balance, idle.balance,
                      CASE WHEN idle.days > 365 THEN idle.principal_balance ELSE 0 END AS breakage_estimate
                 FROM idle"""
        )
