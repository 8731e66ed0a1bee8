import copy
import logging
from contextlib import contextmanager

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL
from odoo.tools.misc import format_amount
from odoo.tools.sql import column_exists

from ..tools import wallet_math
from ..tools.keys import check_uuid, is_record_id
from .pos_payment import BOOKING_FIELDS

_logger = logging.getLogger(__name__)

# The records an order sends inside it, as commands: order lines and payments.
ORDER_PARTS = {"lines": "pos.order.line", "payment_ids": "pos.payment"}
NUMBER_TYPES = frozenset({"integer", "float", "monetary"})
# Refusals PostgreSQL gives a transaction once the one it waited for has ended: a new attempt sees its work.
CONFLICTS_AFTER_WAITING = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
IMMEDIATE_RESTARTS = 10
# The first key of the advisory locks on synced order uuids (the second is the uuid's hash), and on the
# stored-value cards a sync pays from (the second is the card's id).
ORDER_LOCK_SPACE = 8_512_001
CARD_LOCK_SPACE = 8_512_002


class PosOrder(models.Model):
    """POS orders pay from cards and sell top-ups; the server books both when the order is paid."""

    _name = "pos.order"
    _inherit = ["pos.order", "stored.value.guard"]
    _protected_fields = frozenset({"stored_value_review", "stored_value_top_up_amount"})

    stored_value_review = fields.Boolean(
        string="Card Booking to Settle",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A card payment or top-up of this order could not be booked when it reached the server.",
    )
    stored_value_new_member = fields.Json(
        string="New Member",
        copy=False,
        help="What an offline terminal typed about a member it opened a card for: read once at sync, not kept.",
    )
    stored_value_top_up_amount = fields.Monetary(
        string="Card Top-ups Sold",
        compute="_compute_stored_value_top_up_amount",
        store=True,
        readonly=True,
        help="What the card top-ups sold in the order came to, taxes included: money kept for the customer, "
        "not a purchase, which the reports of what customers bought leave out (what the card later pays for "
        "is the purchase).",
    )
    stored_value_ledger_ids = fields.One2many(
        "stored.value.ledger", compute="_compute_stored_value_ledger_ids", string="Card Movements"
    )

    def _compute_stored_value_ledger_ids(self):
        entries = self.env["stored.value.ledger"]._of_documents(self)
        for order in self:
            order.stored_value_ledger_ids = entries[order]

    def _auto_init(self):
        if not column_exists(self.env.cr, self._table, "stored_value_top_up_amount"):
            # Added to a shop's past orders at once: 0 for all (without rewriting the table), then the
            # orders that sold top-ups in one statement, not every order recomputed by the ORM.
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN stored_value_top_up_amount numeric DEFAULT 0",
                    SQL.identifier(self._table),
                )
            )
            if column_exists(self.env.cr, "product_template", "stored_value_top_up"):  # else none was sold
                self._fill_stored_value_top_up_amount()
        return super()._auto_init()

    def _fill_stored_value_top_up_amount(self):
        """Write what the top-ups sold in each order came to, for every order that sold one, in one statement."""
        self.env.cr.execute(
            """UPDATE pos_order pos SET stored_value_top_up_amount = sold.amount
                 FROM (SELECT line.order_id, SUM(line.price_subtotal_incl) AS amount
                         FROM pos_order_line line
                         JOIN product_product product ON product.id = line.product_id
                         JOIN product_template template ON template.id = product.product_tmpl_id
                        WHERE template.stored_value_top_up
                        GROUP BY line.order_id) sold
                WHERE pos.id = sold.order_id"""
        )
        self.invalidate_model(["stored_value_top_up_amount"])

    @api.depends("lines.price_subtotal_incl", "lines.product_id")
    def _compute_stored_value_top_up_amount(self):
        # Not on the products' top-up flag: a top-up sold stays one when its product is changed later.
        for order in self:
            order.stored_value_top_up_amount = sum(
                order.lines.filtered(lambda line: line.product_id.stored_value_top_up).mapped("price_subtotal_incl")
            )

    @api.model
    def _load_pos_data_fields(self, config):
        fields_to_load = super()._load_pos_data_fields(config)
        return fields_to_load and [*fields_to_load, "stored_value_review"]

    @api.model
    def sync_from_ui(self, orders):
        """Sync the orders; a sync that lost a race for a card starts again at once.

        Two terminals paying from one card take turns, first on an advisory lock of the card taken
        before anything is read (see :meth:`_stored_value_wait_for_others`), then on its row lock. The
        one that waited would otherwise find, when the other commits, that its snapshot predates that
        payment, and PostgreSQL would refuse it (a serialization failure): Odoo would retry the whole
        request after a random sleep of up to 2, 4, 8... seconds. The other transaction has committed
        by then, so when nothing but this sync was done in the transaction, it is rolled back and run
        again at once, on what the winner booked; the row lock still decides who pays first and a card
        is never overdrawn. The same order sent twice at once (a retry, a second tab) is answered the
        same way: the second request, which waited for the first one's order, starts again and finds it.
        """
        if not isinstance(orders, list):
            raise UserError(self.env._("The POS sent its orders in a form the server cannot read."))
        sync = super().sync_from_ui  # Odoo's sync, which the method below runs order by order
        restartable = self._stored_value_transaction_fresh()
        restarts = 0
        while True:
            waited = self._stored_value_wait_for_others(orders)
            if not restartable or (waited and restarts >= IMMEDIATE_RESTARTS):
                return self._stored_value_sync_orders(orders, sync)
            if not waited:
                try:
                    # Each attempt reads the orders as the terminal sent them: syncing takes values out.
                    answer = self._stored_value_sync_orders(copy.deepcopy(orders), sync)
                    self.env.flush_all()  # a unique order uuid, refused now rather than after the return
                    return answer
                except (*CONFLICTS_AFTER_WAITING, pg_errors.UniqueViolation) as error:
                    other_table = isinstance(error, pg_errors.UniqueViolation) and error.diag.table_name != self._table
                    if other_table or restarts >= IMMEDIATE_RESTARTS:
                        raise  # not a race, or a row this busy: Odoo's retry, with its back-off
            restarts += 1
            _logger.info("POS sync waited for another transaction: starting again at once (%s)", restarts)
            self.env.cr.rollback()
            self.env.transaction.reset()
            self.env.registry.reset_changes()

    @api.model
    def _stored_value_wait_for_others(self, orders):
        """Wait for the other syncs of these orders (a retry, a second tab) and of the cards they pay from to
        end; whether any was running.

        Transaction-level advisory locks, per order uuid and per stored-value card named by a payment,
        make them take turns before this one reads anything: instead of both numbering the order and
        one failing on the session's sequence, or both booking on the card and the later one failing on
        its row after all the order's work. The card ids are only lock keys here: the booking checks them.
        """
        keys = set()
        for order in orders:
            if not isinstance(order, dict):
                continue
            if isinstance(order.get("uuid"), str):
                keys.add((ORDER_LOCK_SPACE, order["uuid"], 0))
            payments = order.get("payment_ids")
            for command in payments if isinstance(payments, (list, tuple)) else ():  # others: refused at the sync
                values = command[2] if isinstance(command, (list, tuple)) and len(command) == 3 else None
                card_id = values.get("stored_value_card_id") if isinstance(values, dict) else None
                if isinstance(card_id, int) and not isinstance(card_id, bool) and 0 < card_id < 2**31:
                    keys.add((CARD_LOCK_SPACE, "", card_id))
        if not keys:
            return False
        # One order for everybody, tried in it up to the first lock held elsewhere (a CASE stops there), then
        # waited for in it: a sync holds a first part of its locks only, and no two syncs wait for each other.
        keys = [
            (space, SQL("hashtext(%s)", uuid) if space == ORDER_LOCK_SPACE else SQL("%s", card_id))
            for space, uuid, card_id in sorted(keys)
        ]
        tries = SQL(" ").join(
            SQL("WHEN NOT pg_try_advisory_xact_lock(%s, %s) THEN FALSE", space, second) for space, second in keys
        )
        self.env.cr.execute(SQL("SELECT CASE %s ELSE TRUE END", tries))
        if self.env.cr.fetchone()[0]:
            return False
        for space, second in keys:
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", space, second))
        return True

    def _stored_value_transaction_fresh(self):
        """Whether this transaction has done nothing yet but read: it may then be rolled back and redone."""
        if any(self.env.transaction.field_dirty.values()):
            return False
        self.env.cr.execute(SQL("SELECT txid_current_if_assigned() IS NULL"))
        return self.env.cr.fetchone()[0]

    @api.model
    def _stored_value_sync_orders(self, orders, sync):
        """Sync ``orders`` with ``sync`` (Odoo's); one order the server refuses never blocks the others.

        Each order of a batch syncs in a savepoint of its own: a refused one (bad figures, a malformed
        payload, a forged booking) is rolled back alone, noted on its session and left out of the answer,
        while the others sync. When every order is refused the call fails with their reasons, so that a
        terminal syncing one order at a time (as Odoo's POS does) shows why and keeps the order.
        """
        if len(orders) <= 1:
            for order in orders:
                self._stored_value_check_payload(order)
            with self._stored_value_unreadable_refused(orders[0] if orders else None):
                return sync(orders)
        results, refusals = [], []
        for order in orders:
            # Rolling a savepoint back drops every pre-commit hook: those of the orders before run now.
            self.env.cr.precommit.run()
            try:
                with self.env.cr.savepoint(), self._stored_value_unreadable_refused(order):
                    self._stored_value_check_payload(order)
                    results.append(sync([order]))
                    self.env.flush_all()
            except UserError as error:
                refusals.append((order, error))
        if not results:
            raise UserError("\n".join(error.args[0] for _order, error in refusals))
        answer = self._stored_value_merge_sync_results(results)
        batch_session = self.browse([order["id"] for order in answer["pos.order"]]).session_id[:1]
        for order, error in refusals:
            self._stored_value_note_refusal(order, error.args[0], batch_session)
        return answer

    @contextmanager
    def _stored_value_unreadable_refused(self, order):
        """Data the ORM cannot store (a text where a number goes, a missing value) refuses the order with a
        translated reason instead of a traceback; a lock conflict still goes to Odoo's retry."""
        try:
            yield
        except UserError:
            raise
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except (psycopg2.DataError, psycopg2.IntegrityError, ValueError, TypeError, KeyError, IndexError) as error:
            name = self._stored_value_order_label(order)
            _logger.warning("POS order %s could not be read at sync", name, exc_info=True)
            raise UserError(
                self.env._("Order %(order)s has data the server cannot read: it was not saved.", order=name)
            ) from error

    @api.model
    def _stored_value_check_payload(self, order):
        """Refuse, with a translated reason, an order the server could not read or must not book."""
        problem = self._stored_value_payload_problem(order)
        if problem:
            raise UserError(problem)

    @api.model
    def _stored_value_payload_problem(self, order):
        """Why the order data a terminal sent cannot be synced; None when it can be read."""
        if not isinstance(order, dict) or not isinstance(order.get("uuid"), str):
            return self.env._("The POS sent an order the server cannot read.")
        name = self._stored_value_order_label(order)
        if not is_record_id(order.get("session_id")):
            return self.env._("Order %(order)s names no POS session.", order=name)
        parts = [(self, order)]
        for key, model in ORDER_PARTS.items():
            if not isinstance(order.get(key) or [], (list, tuple)):
                return self.env._("Order %(order)s has lines or payments the server cannot read.", order=name)
            for command in order.get(key) or []:
                if not isinstance(command, (list, tuple)) or not command:
                    return self.env._("Order %(order)s has lines or payments the server cannot read.", order=name)
                if command[0] in (0, 1):
                    if len(command) != 3 or not isinstance(command[2], dict):
                        return self.env._("Order %(order)s has lines or payments the server cannot read.", order=name)
                    parts.append((self.env[model], command[2]))
        for model, values in parts:
            for field_name, value in values.items():
                field = model._fields.get(field_name)
                if field and not self._stored_value_readable(field, value):
                    label = field._description_string(self.env)
                    if field.type in NUMBER_TYPES:
                        return self.env._(
                            "Order %(order)s has %(value)s as %(field)s, which is not an amount.",
                            order=name,
                            value=repr(value)[:40],
                            field=label,
                        )
                    return self.env._(
                        "Order %(order)s has %(value)s as %(field)s, which the server cannot read.",
                        order=name,
                        value=repr(value)[:40],
                        field=label,
                    )
        for command in order.get("payment_ids") or []:
            if command[0] == 0 and not command[2].get("payment_method_id"):
                return self.env._("Order %(order)s has lines or payments the server cannot read.", order=name)
        if not order.get("is_refund"):
            # Only lines taking money back are looked at, so that an ordinary order costs no query here.
            taking_back = [
                values
                for model, values in parts
                if model._name == "pos.order.line"
                and values.get("product_id")
                and ((values.get("qty") or 0) <= 0 or (values.get("price_unit") or 0) <= 0)
            ]
            products = self.env["product.product"].sudo().browse([line["product_id"] for line in taking_back])
            if any(products.exists().mapped("stored_value_top_up")):
                return self.env._(
                    "Order %(order)s has a top-up line of no or negative amount: a top-up is not taken "
                    "back at the till; refund a card from the back office.",
                    order=name,
                )
        return None

    @staticmethod
    def _stored_value_readable(field, value):
        """Whether the ORM can store ``value`` in ``field``: empty values, numbers as numbers, records by id."""
        if value is None or value is False:
            return True
        if field.type in NUMBER_TYPES:
            return wallet_math.is_number(value)
        if field.type == "many2one":
            return is_record_id(value)
        if field.type in ("one2many", "many2many"):
            return isinstance(value, (list, tuple)) and all(
                (isinstance(item, (list, tuple)) and item) or is_record_id(item) for item in value
            )
        # Text, dates and the rest: what the ORM cannot store refuses the order (_stored_value_unreadable_refused).
        return True

    @staticmethod
    def _stored_value_order_label(order):
        """How a message names an order the terminal sent, before the server read it."""
        if not isinstance(order, dict):
            return "-"
        return str(order.get("pos_reference") or order.get("name") or order.get("uuid") or "-")

    @api.model
    def _stored_value_note_refusal(self, order, problem, batch_session):
        """Log a refused order of a batch and tell its session (else the batch's), where a manager sees it."""
        name = self._stored_value_order_label(order)
        _logger.warning("POS order %s refused at sync: %s", name, problem)
        session_id = order.get("session_id") if isinstance(order, dict) else None
        session = self.env["pos.session"].browse(session_id if is_record_id(session_id) else ())
        session = session.exists().filtered(lambda own: own.company_id in self.env.companies) or batch_session
        # sudo: a cashier may not write on the session; the note only tells what the server refused.
        session.sudo().message_post(
            body=self.env._("Order %(order)s was refused at sync: %(problem)s", order=name, problem=problem)
        )

    @staticmethod
    def _stored_value_merge_sync_results(results):
        """One answer for several orders synced one by one: each model's records, once each."""
        merged = {}
        for result in results:
            for model, records in result.items():
                bucket = merged.setdefault(model, {})
                for record in records:
                    bucket[record.get("id")] = record
        return {model: list(records.values()) for model, records in merged.items()}

    @api.model
    def _process_order(self, order, existing_order):
        """What the server derives (card bookings, review marks) is its own: a terminal's values are dropped.

        A member card an offline terminal opened is opened now, before the order books on it.
        """
        member_problem = self._stored_value_open_order_member(order)
        for name in self._protected_fields:
            order.pop(name, None)
        for command in order.get("payment_ids") or ():
            if isinstance(command, (list, tuple)) and len(command) > 2 and isinstance(command[2], dict):
                for name in BOOKING_FIELDS:
                    command[2].pop(name, None)
        for command in order.get("lines") or ():
            if isinstance(command, (list, tuple)) and len(command) > 2 and isinstance(command[2], dict):
                command[2].pop("stored_value_ledger_id", None)
        order_id = super()._process_order(order, existing_order)
        if member_problem:
            pos_order = self.browse(order_id)
            pos_order._stored_value_flag(pos_order.partner_id or pos_order.session_id, member_problem)
        return order_id

    @api.model
    def _stored_value_open_order_member(self, order):
        """Open the member card of an order taken offline (``stored_value_new_member``): the customer is
        created, or found by their mobile and completed, and the order's card lines credit the card.

        Returns why the member could not be opened, if so: the order is still saved, its top-ups kept in
        deposits for a manager, so that nothing taken at the counter is lost.
        """
        values = order.pop("stored_value_new_member", None)
        if not values:
            return None
        session = self.env["pos.session"].browse(order.get("session_id")).exists()
        if not session:
            return None
        config = session.config_id
        Partner = self.env["res.partner"]
        try:
            with self.env.cr.savepoint():
                member = Partner._stored_value_member_values(values, config.company_id)
                customer = Partner._stored_value_customer_with_phone(member["partner"]["phone"], config.company_id)
                partner, card = Partner._stored_value_open_member(
                    member, f"pos.order/{check_uuid(self.env, order['uuid'])}/member", config, customer=customer
                )
        except UserError as error:
            return self.env._(
                "The member card typed offline in order %(order)s could not be opened: %(problem)s",
                order=self._stored_value_order_label(order),
                problem=error.args[0],
            )
        if not order.get("partner_id"):
            order["partner_id"] = partner.id
        for command in order.get("lines") or ():
            if command[0] == 0 and command[2].get("stored_value_opens_card"):
                command[2]["stored_value_card_id"] = card.id
        return None

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
