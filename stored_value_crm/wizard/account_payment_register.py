from odoo import api, fields, models


class AccountPaymentRegister(models.TransientModel):
    """Register Payment with the stored-value journal: the customer pays the invoice from a card."""

    _inherit = "account.payment.register"

    is_stored_value = fields.Boolean(related="journal_id.is_stored_value")
    stored_value_card_id = fields.Many2one(
        "stored.value.card",
        string="Stored-Value Card",
        compute="_compute_stored_value_card_id",
        store=True,
        readonly=False,
        domain="[('partner_id.commercial_partner_id', '=', partner_id), ('company_id', '=', company_id),"
        " ('state', '=', 'active')]",
    )
    stored_value_card_balance = fields.Monetary(
        related="stored_value_card_id.balance", string="Card Balance", currency_field="stored_value_currency_id"
    )
    stored_value_currency_id = fields.Many2one(related="stored_value_card_id.currency_id", string="Card Currency")
    stored_value_has_pin = fields.Boolean(related="stored_value_card_id.has_pin")
    stored_value_pin = fields.Char(string="Card PIN")

    @api.depends("journal_id", "partner_id", "company_id", "currency_id")
    def _compute_stored_value_card_id(self):
        for wizard in self:
            wizard.stored_value_card_id = wizard.is_stored_value and self.env["stored.value.card"].search(
                [
                    ("partner_id.commercial_partner_id", "=", wizard.partner_id.commercial_partner_id.id),
                    ("company_id", "=", wizard.company_id.id),
                    ("currency_id", "=", wizard.currency_id.id),
                    ("state", "=", "active"),
                ],
                order="balance desc",
                limit=1,
            )

    def _create_payment_vals_from_wizard(self, batch_result):
        values = super()._create_payment_vals_from_wizard(batch_result)
        if self.is_stored_value:
            values["stored_value_card_id"] = self.stored_value_card_id.id
        return values

    def _create_payment_vals_from_batch(self, batch_result):
        values = super()._create_payment_vals_from_batch(batch_result)
        if self.is_stored_value:
            values["stored_value_card_id"] = self.stored_value_card_id.id
        return values

    def _create_payments(self):
        # The PIN is checked when the payment is posted, and never stored.
        return super(
            AccountPaymentRegister, self.with_context(stored_value_pin=self.stored_value_pin)
        )._create_payments()
