import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from .pos_payment import BOOKING_FIELDS

_logger = logging.getLogger(__name__)


class PosOrder(models.Model):
    """POS orders pay from cards and sell top-ups; the server books both when the order is paid."""

    _inherit = ["pos.order", "stored.value.guard"]
    _protected_fields = frozenset({"stored_value_review"})

    stored_value_review = fields.Boolean(
        string="Card Booking to Settle",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A card payment or top-up of this order could not be booked when it reached the server.",
    )
    stored_value_ledger_ids = fields.One2many(
        "stored.value.ledger", compute="_compute_stored_value_ledger_ids", string="Card Movements"
    )

    def _compute_stored_value_ledger_ids(self):
        entries = self.env["stored.value.ledger"]._of_documents(self)
        for order in self:
            order.stored_value_ledger_ids = entries[order]

    @api.model
    def _load_pos_data_fields(self, config):
        fields_to_load = super()._load_pos_data_fields(config)
        return fields_to_load and [*fields_to_load, "stored_value_review"]

    @api.model
    def _process_order(self, order, existing_order):
        """What the server derives (card bookings, review marks) is its own: a terminal's values are dropped."""
        order.pop("stored_value_review", None)
        for command in order.get("payment_ids") or ():
            if isinstance(command, (list, tuple)) and len(command) > 2 and isinstance(command[2], dict):
                for name in BOOKING_FIELDS:
                    command[2].pop(name, None)
        for command in order.get("lines") or ():
            if isinstance(command, (list, tuple)) and len(command) > 2 and isinstance(command[2], dict):
                command[2].pop("stored_value_ledger_id", None)
        return super()._process_order(order, existing_order)

    def action_pos_order_paid(self):
        result = super().action_pos_order_paid()
        self._stored_value_book()
        return result

    def _stored_value_book(self):
        """Book the order's card payments and top-ups, once each (keyed by the order's and lines' uuids).

        Nothing is booked on what the terminal claims: when the order's lines or total differ from what
        the server computes from prices, quantities, discounts and taxes, every card payment and top-up
        of the order is kept and flagged for a manager instead.
        """
        for order in self:
            payments = order.payment_ids.filtered(
                lambda payment: payment.payment_method_id.is_stored_value and not payment.stored_value_state
            )
            top_ups = order.lines.filtered(
                lambda line: line.product_id.stored_value_top_up and not line.stored_value_ledger_id
            )
            if not payments and not top_ups:
                continue
            if payments.stored_value_card_id & top_ups.stored_value_card_id:
                raise UserError(
                    self.env._("Order %(order)s tops a card up with money from that same card.", order=order.name)
                )
            problem = order._stored_value_amounts_problem()
            if problem:
                for line in top_ups:
                    line._stored_value_flag_top_up(problem)
                for payment in payments:
                    payment._stored_value_flag(payment.stored_value_card_id, problem)
                continue
            for line in top_ups:
                line._stored_value_credit_top_up()
            owed = order.amount_total
            for payment in payments:
                payment._stored_value_book(owed)
                if payment.stored_value_state == "booked" and payment.amount > 0:
                    owed -= payment.amount

    def _stored_value_amounts_problem(self):
        """Why the order's claimed amounts cannot be booked on a card; None when the server agrees.

        Each line must come to what its price, quantity, discount and taxes give, and the order's total
        to the sum of its lines, as Odoo's server computes them (the lines of a refund order count
        positive, its total negative, as the POS sends them).
        """
        self.ensure_one()
        currency = self.currency_id
        lines_total = 0.0
        for line in self.lines:
            expected = line._compute_amount_line_all()
            untaxed, taxed = expected["price_subtotal"], expected["price_subtotal_incl"]
            lines_total += -taxed if self.is_refund else taxed
            if currency.compare_amounts(taxed, line.price_subtotal_incl) or (
                currency.compare_amounts(untaxed, line.price_subtotal)
            ):
                return self.env._(
                    "Line %(line)s of order %(order)s claims %(claimed)s, but its price, quantity, discount and "
                    "taxes come to %(expected)s.",
                    line=line.full_product_name or line.product_id.display_name,
                    order=self.name,
                    claimed=format_amount(self.env, line.price_subtotal_incl, currency),
                    expected=format_amount(self.env, taxed, currency),
                )
        # Taxes rounded globally may move the order's total by a cent per tax from the sum of its lines.
        tolerance = currency.rounding * max(len(self.lines.tax_ids), 1)
        if self.config_id.cash_rounding:
            tolerance += self.config_id.rounding_method.rounding
        if abs(self.amount_total - lines_total) > tolerance + currency.rounding / 2:
            return self.env._(
                "Order %(order)s claims a total of %(claimed)s, but its lines come to %(expected)s.",
                order=self.name,
                claimed=format_amount(self.env, self.amount_total, currency),
                expected=format_amount(self.env, lines_total, currency),
            )
        return None

    def _stored_value_flag(self, record, problem):
        """Keep the order, mark it for review and give a manager a to-do on ``record`` (card or customer)."""
        self.ensure_one()
        _logger.info("Card booking of POS order %s kept for a manager: %s", self.name, problem)
        if record._name == "stored.value.card":
            # Terminals flagging one card at once take turns, as they do when they pay from it.
            record.sudo()._lock(touch=True)
        self._posting().write({"stored_value_review": True})
        self.message_post(body=problem)
        # sudo: the to-do is for a manager, whom the cashier may not otherwise reach.
        record.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Card booking to settle: %(order)s", order=self.name),
            note=problem,
            user_id=self.company_id._stored_value_manager().id,
        )

    def action_stored_value_settled(self):
        """A manager settled the card bookings of these orders with the customers."""
        self.env["stored.value.card"]._check_manager()
        for order in self.filtered("stored_value_review"):
            # sudo: a stored-value manager reads POS orders without Point of Sale rights; the note is theirs.
            order.sudo()._posting().write({"stored_value_review": False})
            order.sudo().message_post(
                body=self.env._("Card booking settled by %(user)s.", user=self.env.user.name),
                author_id=self.env.user.partner_id.id,
            )
