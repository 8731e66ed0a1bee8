import threading
import time
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestWalletConcurrency(BaseCase):
    """Two terminals debiting one card at once, each in its own database transaction.

    The data is committed, as real terminals would see it, and removed afterwards.
    """

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        # The test runner holds the registry lock while tests run; the terminals' threads need registry access.
        lock_patch = patch.object(Registry, "_lock", DummyRLock())
        lock_patch.start()
        self.addCleanup(lock_patch.stop)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": f"Concurrent holder {uuid.uuid4()}"})
            card = env["stored.value.card"].create({"partner_id": partner.id, "state": "active"})
            card._lock()
            card._post_movement("opening", 100.0, 0.0, f"concurrency/opening/{card.id}")
            self.card_id, self.partner_id = card.id, partner.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM stored_value_ledger WHERE card_id = %s", self.card_id))
            cr.execute(SQL("DELETE FROM stored_value_card WHERE id = %s", self.card_id))
            cr.execute(SQL("DELETE FROM res_partner WHERE id = %s", self.partner_id))

    def _spend_in_own_transaction(self, amount, key, results, before_commit=None):
        """One terminal's request: Odoo's retry loop around a spend, committed at the end."""
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                card = env["stored.value.card"].browse(self.card_id)

                def spend():
                    entry = card._spend(amount, key)
                    if before_commit:
                        before_commit()
                    return entry.id

                results.append(("ok", retrying(spend, env)))
        except UserError as error:
            results.append(("refused", str(error)))

    def _race(self, first_key, second_key, amount=70.0):
        """The first terminal holds the card's lock while the second one asks for it."""
        results, second_started = [], threading.Event()

        def hold_lock_until_second_waits():
            second_started.wait(5)
            time.sleep(0.5)  # the second terminal is now blocked on the card's row

        first = threading.Thread(
            target=self._spend_in_own_transaction, args=(amount, first_key, results, hold_lock_until_second_waits)
        )
        second = threading.Thread(target=self._spend_in_own_transaction, args=(amount, second_key, results))
        with mute_logger("odoo.sql_db"):  # the refused snapshot is logged as a bad query, then retried
            first.start()
            time.sleep(0.3)
            second_started.set()
            second.start()
            first.join(30)
            second.join(30)
        return results

    def _card_state(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT card.balance, COUNT(entry.id) FILTER (WHERE entry.entry_type = 'spend'),
                              SUM(entry.principal_amount + entry.bonus_amount)
                         FROM stored_value_card card JOIN stored_value_ledger entry ON entry.card_id = card.id
                        WHERE card.id = %s GROUP BY card.id""",
                    self.card_id,
                )
            )
            return cr.fetchone()

    def test_two_terminals_never_overdraw_one_card(self):
        results = self._race("till-1/order-1", "till-2/order-9")
        self.assertEqual(sorted(status for status, _ in results), ["ok", "refused"])
        refusal = next(message for status, message in results if status == "refused")
        self.assertIn("less than the", refusal, "the second terminal is told the balance no longer covers it")
        balance, spends, ledger_sum = self._card_state()
        self.assertEqual((float(balance), spends, float(ledger_sum)), (30.0, 1, 30.0))

    def test_the_same_order_synced_twice_at_once_books_once(self):
        results = self._race("till-1/order-1/payment-1", "till-1/order-1/payment-1")
        self.assertEqual([status for status, _ in results], ["ok", "ok"])
        self.assertEqual(results[0][1], results[1][1], "the replay returns the first booking")
        balance, spends, _ledger_sum = self._card_state()
        self.assertEqual((float(balance), spends), (30.0, 1))
