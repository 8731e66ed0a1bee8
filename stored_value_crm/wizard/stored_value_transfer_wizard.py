from odoo import fields, models


class StoredValueTransferWizard(models.TransientModel):
    _name = "stored.value.transfer.wizard"
    _description = "Transfer Between Stored-Value Cards"

    card_id = fields.Many2one("stored.value.card", string="From Card", required=True, readonly=True)
    company_id = fields.Many2one(related="card_id.company_id")
    currency_id = fields.Many2one(related="card_id.currency_id")
    balance = fields.Monetary(related="card_id.balance")
    target_card_id = fields.Many2one(
        "stored.value.card",
        string="To Card",
        required=True,
        domain="[('id', '!=', card_id), ('company_id', '=', company_id), ('currency_id', '=', currency_id),"
        " ('state', '=', 'active')]",
    )
    amount = fields.Monetary(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.card_id._transfer(self.target_card_id, self.amount, f"stored.value.transfer.wizard/{self.id}")
        return {"type": "ir.actions.act_window_close"}
