from odoo import api, fields, models

from .stored_value_holder_consent import StoredValueHolderConsent


class StoredValueTransferWizard(models.TransientModel):
    """Move money between cards: to another holder only with the holder's PIN or by a manager."""

    _name = "stored.value.transfer.wizard"
    _inherit = ["stored.value.holder.consent"]
    _description = "Transfer Between Stored-Value Cards"
    _protected_fields = StoredValueHolderConsent._protected_fields | {"target_card_id", "amount"}

    card_id = fields.Many2one(string="From Card")
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
    other_holder = fields.Boolean(compute="_compute_other_holder")
    amount = fields.Monetary(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["stored.value.card"]._check_typed_amounts(vals_list)
        return super().create(vals_list)

    @api.depends("card_id", "target_card_id")
    def _compute_other_holder(self):
        for wizard in self:
            wizard.other_holder = wizard.target_card_id.partner_id != wizard.card_id.partner_id

    def action_confirm(self):
        self.ensure_one()
        if self.target_card_id.partner_id != self.card_id.partner_id:
            self._check_holder_or_manager(self.env._("A transfer to another holder"))
        self.card_id._transfer(self.target_card_id, self.amount, f"stored.value.transfer.wizard/{self.id}")
        return {"type": "ir.actions.act_window_close"}
