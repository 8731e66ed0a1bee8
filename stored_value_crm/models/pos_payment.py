from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount

from ..tools import masking
from ..tools.keys import check_uuid

# What the server writes on a card payment once it booked it; a terminal's values for them are ignored.
BOOKING_FIELDS = frozenset(
    {
        "stored_value_ledger_id",
        "stored_value_balance_before",
        "stored_value_balance_after",
        "stored_value_bonus_used",
        "stored_value_state",
        "stored_value_issue",
        "stored_value_move_id",
    }
)
# What a booked card payment keeps: changing it would part the session's books from the card's ledger.
BOOKED_FIELDS = frozenset({"amount", "payment_method_id", "pos_order_id", "stored_value_card_id", "currency_id"})


class PosPayment(models.Model):
    """A POS payment line in the stored-value method: booked on its card when the order reaches the server."""

    _name = "pos.payment"
    _inherit = ["pos.payment", "stored.value.guard"]
    _protected_fields = BOOKING_FIELDS

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
    stored_value_move_id = fields.Many2one(
        "account.move",
        string="Uncovered Entry",
        readonly=True,
        copy=False,
        help="Posted when the session closed: the amount no card paid, moved from deposits to the customer.",
    )

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if "stored_value_card_number" in fnames and result:
            # sudo: the card of a payment the user reads, to mask its number as the card's own reads do.
            card_of = {payment.id: payment.stored_value_card_id.id for payment in self.sudo()}
            hidden = self.env["stored.value.reveal"]._hidden_card_ids(self.sudo().stored_value_card_id)
            for values in result:
                if values["stored_value_card_number"] and card_of.get(values["id"]) in hidden:
                    values["stored_value_card_number"] = masking.mask_card_number(values["stored_value_card_number"])
        return result

    def write(self, vals):
        if BOOKED_FIELDS & set(vals) and not self._protected_open() and any(self.mapped("stored_value_state")):
            raise AccessError(
                self.env._("A card payment booked on its card cannot be changed: refund the order instead.")
            )
        return super().write(vals)

    def _stored_value_key(self):
        """``pos.order/<order uuid>/payment/<payment uuid>``: both UUIDs, checked, so no two payments share it."""
        check_uuid(self.env, self.pos_order_id.uuid)
        check_uuid(self.env, self.uuid)
        return f"pos.order/{self.pos_order_id.uuid}/payment/{self.uuid}"

    def _stored_value_book(self, owed):
        """Book this line on its card, or flag the order when the card cannot pay it.

        ``owed`` is what the order still owes after the card payments booked before this one: a card
        pays no more (no change in cash out of a card). An order paid offline is never refused at
        sync: when the card no longer covers it, the order is kept, the amount is moved from deposits
        to what the customer owes, and a manager gets a to-do.
        """
        self.ensure_one()
        card = self.stored_value_card_id or self._stored_value_default_card()
        try:
            with self.env.cr.savepoint():
                entry = self._stored_value_move_card(card, owed)
        except UserError as error:
            self._stored_value_flag(card, error.args[0])
            return
        after = entry.principal_balance_after + entry.bonus_balance_after
        self._posting().write(
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

    def _stored_value_move_card(self, card, owed):
        order = self.pos_order_id
        if not card:
            raise UserError(self.env._("No stored-value card was chosen for this payment."))
        # sudo: the cashier's order is what pays; the card's own checks (state, company, currency, balance,
        # PIN proof, what the order owes) still apply below.
        card = card.sudo()
        key = self._stored_value_key()
        values = {
            "company": order.company_id,
            "currency": order.currency_id,
            "source_ref": f"pos.order,{order.id}",
        }
        if self.currency_id.compare_amounts(self.amount, 0) > 0:
            if self.currency_id.compare_amounts(self.amount, owed) > 0:
                raise UserError(
                    self.env._(
                        "Card %(card)s was to pay %(amount)s, more than the %(owed)s order %(order)s owes: "
                        "a card gives no change.",
                        card=card.name,
                        amount=format_amount(self.env, self.amount, self.currency_id),
                        owed=format_amount(self.env, max(owed, 0.0), self.currency_id),
                        order=order.name,
                    )
                )
            # A frozen or closed card is said first: without a PIN proof it could not pay anyway.
            card._check_usable(order.company_id, order.currency_id)
            problem = card._pos_pin_token_problem(order.uuid, self.uuid, self.amount, self.stored_value_pin_token)
            if problem:
                raise UserError(problem)
            entry = card._spend(self.amount, key, pin_verified=True, **values)
            spent_bonus = -entry.bonus_amount
        else:
            principal, bonus = self._stored_value_refund_split(card)
            entry = card._credit_back("refund", principal, bonus, key, **values)
            spent_bonus = -bonus
        if not card.currency_id.is_zero(spent_bonus) and not self.env["account.move"].sudo().search_count(
            [("stored_value_ledger_id", "=", entry.id)], limit=1
        ):
            # Bonus is a promotion, not a deposit: its share moves between deposits and the expense account.
            card._post_deposit_move(entry, spent_bonus, self.payment_method_id.journal_id)
        return entry.sudo(False)

    def _stored_value_refund_split(self, card):
        """``(principal, bonus)`` to credit back, in the proportions the refunded order took from the card.

        A card takes back at most what it paid for the refunded order, less what earlier refunds of that
        order gave back to it; more (store credit for an order paid otherwise) is a manager's adjustment.
        """
        amount = -self.amount
        refunded = self.pos_order_id.refunded_order_id
        Ledger = self.env["stored.value.ledger"]
        left = 0.0
        if refunded:
            returns = self.env["pos.order"].sudo().search([("lines.refunded_orderline_id.order_id", "=", refunded.id)])
            left = Ledger._net_paid_from(card, refunded | returns)
        if not refunded or card.currency_id.compare_amounts(amount, left) > 0:
            raise UserError(
                self.env._(
                    "Card %(card)s can take back at most %(left)s for this return (what it paid for %(order)s, "
                    "less earlier refunds), not %(amount)s: a stored-value manager credits the rest.",
                    card=card.name,
                    left=card._format_amount(max(left, 0.0)),
                    order=refunded.name or self.env._("the refunded order"),
                    amount=card._format_amount(amount),
                )
            )
        spent = Ledger.sudo().search(
            [("card_id", "=", card.id), ("entry_type", "=", "spend"), ("source_ref", "=", f"pos.order,{refunded.id}")]
        )
        bonus = card.currency_id.round(amount * sum(spent.mapped("bonus_amount")) / sum(spent.mapped("amount")))
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
        self._posting().write(
            {"stored_value_card_id": card.id, "stored_value_state": "uncovered", "stored_value_issue": problem}
        )
        order._stored_value_flag(
            card or partner,
            self.env._(
                "The card payment of %(amount)s in order %(order)s could not be booked: %(problem)s "
                "When the session closes, the amount moves from customer deposits to what %(partner)s owes; "
                "settle it with them.",
                amount=format_amount(self.env, self.amount, self.currency_id),
                order=order.name,
                problem=problem,
                partner=partner.display_name,
            ),
        )

    def _stored_value_post_uncovered_move(self):
        """The session posts every card payment against deposits; what no card paid is the customer's debt."""
        self.ensure_one()
        order = self.pos_order_id
        partner = self.stored_value_card_id.partner_id or order.partner_id
        debtor = partner.commercial_partner_id
        move = order.company_id._stored_value_post_deposit_move(
            self.payment_method_id.journal_id,
            partner,
            self.amount,
            debtor.with_company(order.company_id).property_account_receivable_id,
            debtor,
            ref=self.env._("Uncovered card payment of %(order)s", order=order.name),
        )
        self._posting().write({"stored_value_move_id": move.id})
        return move
