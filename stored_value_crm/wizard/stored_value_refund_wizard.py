from odoo import api, fields, models


class StoredValueRefundWizard(models.TransientModel):
    """Refund a card's balance in cash, showing what the refund policy gives before confirming."""

    _name = "stored.value.refund.wizard"
    _description = "Refund a Stored-Value Card"

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True)
    company_id = fields.Many2one(related="card_id.company_id")
    currency_id = fields.Many2one(related="card_id.currency_id")
    principal_balance = fields.Monetary(related="card_id.principal_balance")
    bonus_balance = fields.Monetary(related="card_id.bonus_balance", string="Bonus Forfeited")
    deduction = fields.Monetary(string="Spent Bonus Deducted", compute="_compute_figures")
    refund_amount = fields.Monetary(string="Cash Refund", compute="_compute_figures")
    policy = fields.Text(compute="_compute_figures")
    journal_id = fields.Many2one(
        "account.journal",
        string="Refund With",
        required=True,
        domain="[('type', 'in', ('cash', 'bank')), ('is_stored_value', '=', False), ('company_id', '=', company_id)]",
    )
    close_card = fields.Boolean(default=True, help="Close the card once refunded.")

    @api.depends("card_id")
    def _compute_figures(self):
        for wizard in self:
            wizard.refund_amount, wizard.deduction = wizard.card_id._refund_figures() if wizard.card_id else (0.0, 0.0)
            if wizard.company_id.stored_value_refund_deduct_bonus:
                wizard.policy = self.env._(
                    "The unspent principal is refunded, minus the bonus already spent. "
                    "The remaining bonus is forfeited."
                )
            else:
                wizard.policy = self.env._("The unspent principal is refunded. The remaining bonus is forfeited.")

    def action_confirm(self):
        self.ensure_one()
        self.card_id._cash_refund(self.journal_id, f"stored.value.refund.wizard/{self.id}", close=self.close_card)
        return {"type": "ir.actions.act_window_close"}
