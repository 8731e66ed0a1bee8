from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.stored_value_card import CheckedPin


class AccountPaymentRegister(models.TransientModel):
    """Register Payment with the stored-value journal: the customer pays the invoice from a card.

    The holder's PIN is checked when the wizard is saved and never stored; the payments it creates carry
    the invoices they pay, which a refund to a card must name.
    """

    _name = "account.payment.register"
    _inherit = ["account.payment.register", "stored.value.guard"]
    _protected_fields = frozenset({"stored_value_pin_card_id"})

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
    stored_value_pin = fields.Char(
        string="Card PIN", compute="_compute_stored_value_pin", inverse="_inverse_stored_value_pin"
    )
    stored_value_pin_card_id = fields.Many2one("stored.value.card", string="Card Whose PIN Was Typed", readonly=True)

    def _compute_stored_value_pin(self):
        self.stored_value_pin = False

    def _inverse_stored_value_pin(self):
        for wizard in self.filtered(lambda wizard: wizard.stored_value_pin and wizard.stored_value_card_id):
            wizard.stored_value_card_id._check_pin(wizard.stored_value_pin)
            wizard._posting().write({"stored_value_pin_card_id": wizard.stored_value_card_id.id})

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
        return self._stored_value_payment_values(values, batch_result)

    def _create_payment_vals_from_batch(self, batch_result):
        values = super()._create_payment_vals_from_batch(batch_result)
        return self._stored_value_payment_values(values, batch_result)

    def _stored_value_payment_values(self, values, batch_result):
        if self.is_stored_value:
            values["stored_value_card_id"] = self.stored_value_card_id.id
            # Known when the payment is posted, before Odoo reconciles it: a refund to a card names its credit notes.
            values["invoice_ids"] = [fields.Command.set(batch_result["lines"].move_id.ids)]
        return values

    def _create_payments(self):
        card = self.stored_value_card_id
        paying = self.payment_type == "inbound"  # a refund to the card takes no PIN
        if self.is_stored_value and paying and card.has_pin and self.stored_value_pin_card_id != card:
            raise UserError(self.env._("Card %(card)s asks for its PIN.", card=card.name))
        # The PIN was checked when the wizard was saved; the payments learn it through an object no
        # remote call can send.
        return super(
            AccountPaymentRegister,
            self.with_context(stored_value_pin_checked=CheckedPin(self.stored_value_pin_card_id.id)),
        )._create_payments()
