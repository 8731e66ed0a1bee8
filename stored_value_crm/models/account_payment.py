from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .stored_value_card import CheckedPin


class AccountPayment(models.Model):
    """Payments in a stored-value journal move money out of a card (invoices) or into it (credit notes)."""

    _inherit = "account.payment"

    is_stored_value = fields.Boolean(related="journal_id.is_stored_value")
    stored_value_card_id = fields.Many2one(
        "stored.value.card",
        string="Stored-Value Card",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    stored_value_ledger_ids = fields.One2many(
        "stored.value.ledger", compute="_compute_stored_value_ledger_ids", string="Card Movements"
    )

    def _compute_stored_value_ledger_ids(self):
        entries = self.env["stored.value.ledger"]._of_documents(self)
        for payment in self:
            payment.stored_value_ledger_ids = entries[payment]

    @api.constrains("stored_value_card_id", "journal_id", "partner_id")
    def _check_stored_value_card(self):
        for payment in self.filtered("stored_value_card_id"):
            card = payment.stored_value_card_id
            if card.partner_id.commercial_partner_id != payment.partner_id.commercial_partner_id:
                raise UserError(
                    self.env._(
                        "Card %(card)s belongs to %(holder)s, not to %(partner)s.",
                        card=card.name,
                        holder=card.partner_id.display_name,
                        partner=payment.partner_id.display_name,
                    )
                )

    def write(self, vals):
        if "stored_value_card_id" in vals and any(pay.state != "draft" and pay.stored_value_card_id for pay in self):
            raise AccessError(
                self.env._("The card of a posted stored-value payment cannot change: reset the payment to draft.")
            )
        return super().write(vals)

    def action_post(self):
        result = super().action_post()
        for payment in self.filtered(lambda pay: pay._stored_value_moves_card()):
            payment._stored_value_book()
        return result

    def action_draft(self):
        self._stored_value_reverse()
        return super().action_draft()

    def action_cancel(self):
        self._stored_value_reverse()
        return super().action_cancel()

    def _stored_value_moves_card(self):
        """Posted stored-value payments move a card, except a POS session's: its orders booked the cards."""
        return self.is_stored_value and self.state in ("in_process", "paid") and not self.pos_payment_method_id

    def _stored_value_key(self):
        """A key per posting: a payment reset to draft and posted again books anew."""
        postings = self.env["stored.value.ledger"].search_count(
            [("source_ref", "=", f"account.payment,{self.id}"), ("entry_type", "!=", "reversal")]
        )
        return f"account.payment/{self.id}/{postings}"

    def _stored_value_book(self):
        """Debit (customer payment) or credit (customer refund) the card; book the bonus share."""
        self.ensure_one()
        card = self.stored_value_card_id
        if not card:
            raise UserError(
                self.env._("Choose the stored-value card for payment %(payment)s.", payment=self.display_name)
            )
        if self.partner_type != "customer":
            raise UserError(self.env._("Stored-value cards pay and take refunds from customers only."))
        values = {
            "key": self._stored_value_key(),
            "company": self.company_id,
            "currency": self.currency_id,
            "source_ref": f"account.payment,{self.id}",
            "move_id": self.move_id.id,
        }
        if self.payment_type == "outbound":
            self._stored_value_check_refund(card)
            card._credit_back("refund", self.amount, 0.0, **values)
            return
        entry = card._spend(self.amount, pin_verified=CheckedPin.covers(self.env.context, card), **values)
        if card.currency_id.compare_amounts(-entry.bonus_amount, 0) > 0:
            # Spent bonus is a promotion expense, not a use of the customers' deposits.
            card._post_deposit_move(entry, -entry.bonus_amount, self.journal_id, date=self.date)

    def _stored_value_check_refund(self, card):
        """A refund to a card gives back what the card paid: for credit notes of invoices it paid, up to
        what it paid for them less earlier refunds; anything else is a stored-value manager's decision."""
        if card._is_manager():
            return
        credit_notes = self.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        origins = credit_notes.reversed_entry_id
        if not credit_notes or credit_notes != self.invoice_ids or len(origins) != len(credit_notes):
            raise UserError(
                self.env._(
                    "Payment %(payment)s puts money on card %(card)s without a credit note of an invoice that card "
                    "paid: only a stored-value manager can do that.",
                    payment=self.display_name,
                    card=card.name,
                )
            )
        payments = (
            self.sudo().search(
                [
                    ("stored_value_card_id", "=", card.id),
                    ("invoice_ids", "in", (origins | origins.reversal_move_ids).ids),
                ]
            )
            - self
        )
        left = self.env["stored.value.ledger"]._net_paid_from(card, payments)
        if card.currency_id.compare_amounts(self.amount, left) > 0:
            raise UserError(
                self.env._(
                    "Card %(card)s paid %(left)s for %(invoices)s that is not refunded yet, less than the "
                    "%(amount)s of payment %(payment)s: only a stored-value manager can credit more.",
                    card=card.name,
                    left=card._format_amount(max(left, 0.0)),
                    invoices=", ".join(origins.mapped("name")),
                    amount=card._format_amount(self.amount),
                    payment=self.display_name,
                )
            )

    def _stored_value_reverse(self):
        """Undo the card movements of posted payments being reset or cancelled, with reversing entries."""
        for payment in self.filtered(lambda pay: pay._stored_value_moves_card()):
            entries = payment.stored_value_ledger_ids
            for entry in entries.filtered(lambda entry: entry.entry_type != "reversal") - entries.reversed_entry_id:
                entry._reverse(source_ref=f"account.payment,{payment.id}")
                bonus_moves = self.env["account.move"].search(
                    [("stored_value_ledger_id", "=", entry.id), ("state", "=", "posted")]
                )
                bonus_moves._reverse_moves(cancel=True)
