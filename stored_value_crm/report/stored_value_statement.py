from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class ReportStoredValueStatement(models.AbstractModel):
    """A card's statement for a period: opening balance, every movement, closing balance."""

    _name = "report.stored_value_crm.report_stored_value_statement"
    _description = "Stored-Value Card Statement"

    @api.model
    def _period(self, data):
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date((data or {}).get("date_from")) or today.replace(day=1)
        date_to = fields.Date.to_date((data or {}).get("date_to")) or date_from + relativedelta(months=1, days=-1)
        if date_from > date_to:
            raise UserError(self.env._("The statement period ends before it starts."))
        return date_from, date_to

    @api.model
    def _statement(self, card, date_from, date_to):
        """Opening and closing balances, and the movements between, of ``card`` (dates inclusive)."""
        Ledger = self.env["stored.value.ledger"]
        start = fields.Datetime.to_datetime(date_from)
        end = fields.Datetime.to_datetime(date_to) + relativedelta(days=1)
        before = Ledger._read_group(
            [("card_id", "=", card.id), ("date", "<", start)], [], ["principal_amount:sum", "bonus_amount:sum"]
        )[0]
        movements = Ledger.search(
            [("card_id", "=", card.id), ("date", ">=", start), ("date", "<", end)], order="date, id"
        )
        opening_principal, opening_bonus = before[0] or 0.0, before[1] or 0.0
        return {
            "card": card,
            "opening_principal": opening_principal,
            "opening_bonus": opening_bonus,
            "opening": opening_principal + opening_bonus,
            "movements": movements,
            "closing_principal": opening_principal + sum(movements.mapped("principal_amount")),
            "closing_bonus": opening_bonus + sum(movements.mapped("bonus_amount")),
            "closing": opening_principal + opening_bonus + sum(movements.mapped("amount")),
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        cards = self.env["stored.value.card"].browse(docids)
        date_from, date_to = self._period(data)
        return {
            "doc_ids": docids,
            "doc_model": "stored.value.card",
            "docs": cards,
            "date_from": date_from,
            "date_to": date_to,
            "statements": {card.id: self._statement(card, date_from, date_to) for card in cards},
        }
