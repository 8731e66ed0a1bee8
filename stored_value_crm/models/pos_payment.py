from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount


class PosPayment(models.Model):
    """A POS payment line in the stored-value method: booked on its card when the order reaches the server."""

    _inherit = "pos.payment"

    stored_value_card_id = fields.Many2one("stored.value.card", string="Stored-Value Card", index="btree_not_null")
    stored_value_card_number = fields.Char(related="stored_value_card_id.name", string="Card Number")
    stored_value_pin_token = fields.Char(
        string="PIN Proof",
        copy=False,
        help="Proof, given by the server at the terminal, that the holder typed the card's PIN.",
    )
    stored_value_ledger_id = fields.Many2one("stored.value.ledger", string="Card Movement", readonly=True, copy=False)
    stored_value_balance_before = fields.Monetary(string="Card Balance Before", readonly=True, copy=False)
    stored_value_balance_after = fields.Monetary(string="Card Balance After", readonly=True, copy=False)
    stored_value_bonus_used = fields.Monetary(string="Bonus Used", readonly=True, copy=False)
    stored_value_state = fields.Selection(
        [("booked", "Booked"), ("uncovered", "Not Covered")],
        string="Card Booking",
        readonly=True,
        copy=False,
        help="Not Covered: the card could not pay when the order reached the server; the customer owes the amount.",
    )
    stored_value_issue = fields.Char(string="Card Problem", readonly=True, copy=False)

    def _stored_value_key(self):
        return f"pos.order/{self.pos_order_id.uuid}/payment/{self.uuid}"

    def _stored_value_book(self):
        """Book this line on its card, or flag the order when the card cannot pay any more.

        An order paid offline is never refused at sync: when the card no longer covers it, the order is
        kept, the amount is moved from deposits to what the customer owes, and a manager gets a to-do.
        """
        self.ensure_one()
        card = self.stored_value_card_id or self._stored_value_default_card()
        try:
            with self.env.cr.savepoint():
                entry = self._stored_value_move_card(card)
        except UserError as error:
            self._stored_value_flag(card, error.args[0])
            return
        after = entry.principal_balance_after + entry.bonus_balance_after
        self.write(
            {
                "stored_value_card_id": card.id,
                "stored_value_ledger_id": entry.id,
                "stored_value_state": "booked",
                "stored_value_balance_after": after,
                "stored_value_balance_before": after - entry.amount,
                "stored_value_bonus_used": -entry.bonus_amount,
            }
        )

    def _stored_value_default_card(self):
        partner = self.pos_order_id.partner_id
        cards = partner.stored_value_card_ids.filtered(lambda card: card.state == "active") if partner else partner
        return cards if len(cards) == 1 else self.env["stored.value.card"]

    def _stored_value_move_card(self, card):
        order = self.pos_order_id
        if not card:
            raise UserError(self.env._("No stored-value card was chosen for this payment."))
        # sudo: the cashier's order is what pays; the card's own checks (state, company, currency, balance,
        # PIN proof) still apply below.
        card = card.sudo()
        values = {
            "company": order.company_id,
            "currency": order.currency_id,
            "source_ref": f"pos.order,{order.id}",
        }
        journal = self.payment_method_id.journal_id
        if self.currency_id.compare_amounts(self.amount, 0) > 0:
            if not card._pos_pin_token_valid(self.uuid, self.stored_value_pin_token):
                raise UserError(self.env._("The PIN of card %(card)s was not checked at the terminal.", card=card.name))
            entry = card._spend(self.amount, self._stored_value_key(), pin_verified=True, **values)
            spent_bonus = -entry.bonus_amount
        else:
            principal, bonus = self._stored_value_refund_split(card)
            entry = card._credit_back("refund", principal, bonus, self._stored_value_key(), **values)
            spent_bonus = -bonus
        if not card.currency_id.is_zero(spent_bonus) and not self.env["account.move"].sudo().search_count(
            [("stored_value_ledger_id", "=", entry.id)], limit=1
        ):
            # Bonus is a promotion, not a deposit: its share moves between deposits and the expense account.
            card._post_deposit_move(entry, spent_bonus, journal)
        return entry.sudo(False)

    def _stored_value_refund_split(self, card):
        """``(principal, bonus)`` to credit back: in the proportions the refunded order took from the card."""
        amount = -self.amount
        spent = self.env["stored.value.ledger"].search(
            [
                ("card_id", "=", card.id),
                ("entry_type", "=", "spend"),
                ("source_ref", "=", f"pos.order,{self.pos_order_id.refunded_order_id.id}"),
            ]
        )
        total = -sum(spent.mapped("amount"))
        if card.currency_id.is_zero(total):
            return amount, 0.0  # refunded to the card as store credit
        bonus = card.currency_id.round(min(amount, total) * sum(spent.mapped("bonus_amount")) / -total)
        return amount - bonus, bonus

    def _stored_value_flag(self, card, problem):
        order = self.pos_order_id
        partner = card.partner_id or order.partner_id
        if not partner:
            raise UserError(
                self.env._(
                    "Order %(order)s pays from a stored-value card but names no customer: %(problem)s",
                    order=order.name,
                    problem=problem,
                )
            )
        self.write({"stored_value_card_id": card.id, "stored_value_state": "uncovered", "stored_value_issue": problem})
        move = self._stored_value_post_uncovered_move(partner)
        order._stored_value_flag(
            card or partner,
            self.env._(
                "The card payment of %(amount)s in order %(order)s could not be booked: %(problem)s "
                "Entry %(move)s moved it from customer deposits to what %(partner)s owes; settle it with them.",
                amount=format_amount(self.env, self.amount, self.currency_id),
                order=order.name,
                problem=problem,
                move=move.name,
                partner=partner.display_name,
            ),
        )

    def _stored_value_post_uncovered_move(self, partner):
        """The session posts every card payment against deposits; what no card paid is the customer's debt."""
        order = self.pos_order_id
        debtor = partner.commercial_partner_id
        return order.company_id._stored_value_post_deposit_move(
            self.payment_method_id.journal_id,
            partner,
            self.amount,
            debtor.with_company(order.company_id).property_account_receivable_id,
            debtor,
            ref=self.env._("Uncovered card payment of %(order)s", order=order.name),
        )
