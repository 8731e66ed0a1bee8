from odoo import fields, models


class StoredValueAdjustmentWizard(models.TransientModel):
    """A manager's correction of a card balance; the reason stays on the ledger entry."""

    _name = "stored.value.adjustment.wizard"
    _description = "Adjust a Stored-Value Card"

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True)
    currency_id = fields.Many2one(related="card_id.currency_id")
    principal_amount = fields.Monetary(string="Principal Change", help="Positive adds, negative removes.")
    bonus_amount = fields.Monetary(string="Bonus Change", help="Positive adds, negative removes.")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.card_id._adjust(
            self.principal_amount, self.bonus_amount, self.reason, f"stored.value.adjustment.wizard/{self.id}"
        )
        return {"type": "ir.actions.act_window_close"}
