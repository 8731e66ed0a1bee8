from psycopg2 import errors as pg_errors

from odoo.exceptions import ValidationError
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.pos_payment import PosPayment
from .common import CommittedShopCase


@tagged("post_install", "-at_install")
class TestPosWalletConcurrency(CommittedShopCase):
    """Two POS sessions syncing card payments at once, each in its own database transaction."""

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrent Holder"})
            card = env["stored.value.card"].create({"partner_id": partner.id, "company_id": self.company_id})
            card._credit_top_up(100.0, f"concurrency/{card.id}/top-up", source_ref=f"stored.value.card,{card.id}")
            self.card_id, self.partner_id = card.id, partner.id

    def _order(self, session_id):
        line = {"product_id": self.product_id, "qty": 1, "price_unit": 70.0}
        line.update(price_subtotal=70.0, price_subtotal_incl=70.0)
        payment = {"amount": 70.0, "payment_method_id": self.card_method_id, "stored_value_card_id": self.card_id}
        return self.order_data(session_id, [line], [payment], partner_id=self.partner_id)

    def _sync(self, order_data):
        """One terminal's sync request, in Odoo's retry loop, committed at the end: ``(status, order id)``."""
        try:
            with self.committed_env(self.cashier_id) as env:
                synced = retrying(lambda: env["pos.order"].sync_from_ui([dict(order_data)]), env)
                return "ok", synced["pos.order"][-1]["id"]
        except ValidationError as error:
            return "refused", str(error)

    def _sync_once(self, order_data, write_first=False):
        """One sync request without Odoo's retry loop: what reaches the caller, ``(status, order id)``."""
        try:
            with self.committed_env(self.cashier_id) as env:
                if write_first:  # work of the caller's own, done in the transaction before the sync
                    env.user.partner_id.sudo().write({"comment": "busy"})
                synced = env["pos.order"].sync_from_ui([dict(order_data)])
                return "ok", synced["pos.order"][-1]["id"]
        except pg_errors.SerializationFailure:
            return "conflict", None

    def _race(self, first_order, second_order):
        """The first terminal holds the card's lock after booking while the second one syncs."""
        return self.race(self._sync, (first_order,), (second_order,), hold=(PosPayment, "_stored_value_book"))

    def _card_state(self):
        with self.committed_env() as env:
            env.cr.execute(
                SQL(
                    """SELECT card.balance, COUNT(entry.id) FILTER (WHERE entry.entry_type = 'spend')
                         FROM stored_value_card card JOIN stored_value_ledger entry ON entry.card_id = card.id
                        WHERE card.id = %s GROUP BY card.id""",
                    self.card_id,
                )
            )
            return tuple(float(value) for value in env.cr.fetchone())

    def _orders(self, uuids):
        with self.committed_env() as env:
            orders = env["pos.order"].search([("uuid", "in", uuids)])
            return {
                order.uuid: (order.state, order.stored_value_review, order.payment_ids.stored_value_state)
                for order in orders
            }

    def test_two_sessions_spending_one_card_at_once_never_overdraw_it(self):
        first, second = self._order(self.session_ids[0]), self._order(self.session_ids[1])
        results = self._race(first, second)
        self.assertEqual(
            [status for status, _ in results], ["ok", "ok"], f"neither terminal loses its order: {results}"
        )
        self.assertEqual(self._card_state(), (30.0, 1.0), "one payment booked, the card never overdrawn")
        self.assertEqual(
            self._orders([first["uuid"], second["uuid"]]),
            {first["uuid"]: ("paid", False, "booked"), second["uuid"]: ("paid", True, "uncovered")},
            "the order the card no longer covers is kept and flagged for a manager",
        )

    def test_one_order_synced_twice_at_once_books_once(self):
        order_data = self._order(self.session_ids[0])
        results = self._race(order_data, order_data)
        refusals = [message for status, message in results if status == "refused"]
        self.assertTrue(all("already exists" in message for message in refusals), refusals)
        retried = self._sync(order_data)  # the terminal syncs again later
        self.assertEqual({order_id for status, order_id in [*results, retried] if status == "ok"}, {retried[1]})
        self.assertEqual(self._orders([order_data["uuid"]]), {order_data["uuid"]: ("paid", False, "booked")})
        self.assertEqual(self._card_state(), (30.0, 1.0))

    def test_the_terminal_that_waited_for_the_card_is_served_without_a_retry(self):
        """Odoo would retry the loser of the race after a random sleep; the sync starts again at once."""
        first, second = self._order(self.session_ids[0]), self._order(self.session_ids[1])
        results = self.race(self._sync_once, (first,), (second,), hold=(PosPayment, "_stored_value_book"))
        self.assertEqual([status for status, _ in results], ["ok", "ok"], results)
        self.assertEqual(self._card_state(), (30.0, 1.0), "one payment booked, the card never overdrawn")
        self.assertEqual(self._orders([second["uuid"]]), {second["uuid"]: ("paid", True, "uncovered")})

    def test_a_sync_after_other_work_of_its_transaction_is_not_redone(self):
        """Only a transaction that has written nothing yet is rolled back and redone: the caller's own
        work would be lost otherwise, so the conflict goes back to the caller (Odoo's retry)."""
        first, second = self._order(self.session_ids[0]), self._order(self.session_ids[1])
        results = self.race(self._sync_once, (first,), (second, True), hold=(PosPayment, "_stored_value_book"))
        self.assertEqual(sorted(status for status, _ in results), ["conflict", "ok"], results)
        self.assertEqual(self._card_state(), (30.0, 1.0))

    def test_one_order_sent_twice_at_once_is_answered_twice_with_one_order(self):
        """A retry or a second tab sending the same order while the first request is booking it: the
        second request waits, starts again and answers with the order the first one saved."""
        order_data = self._order(self.session_ids[0])
        results = self.race(self._sync_once, (order_data,), (order_data,), hold=(PosPayment, "_stored_value_book"))
        self.assertEqual([status for status, _ in results], ["ok", "ok"], results)
        self.assertEqual(len({order_id for _status, order_id in results}), 1, "one order, answered to both")
        self.assertEqual(self._orders([order_data["uuid"]]), {order_data["uuid"]: ("paid", False, "booked")})
        self.assertEqual(self._card_state(), (30.0, 1.0))
