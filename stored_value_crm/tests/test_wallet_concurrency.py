from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.stored_value_card import StoredValueCard
from .common import CommittedShopCase


@tagged("post_install", "-at_install")
class TestWalletConcurrency(CommittedShopCase):
    """Two terminals debiting one card at once, each in its own database transaction."""

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrent holder"})
            card = env["stored.value.card"].create({"partner_id": partner.id})
            card.action_activate()
            card._lock()
            card._post_movement("opening", 100.0, 0.0, f"concurrency/opening/{card.id}")
            self.card_id = card.id

    def _spend(self, amount, key):
        """One terminal's request: Odoo's retry loop around a spend, committed at the end."""
        try:
            with self.committed_env() as env:
                card = env["stored.value.card"].browse(self.card_id)
                return "ok", retrying(lambda: card._spend(amount, key).id, env)
        except UserError as error:
            return "refused", str(error)

    def _race(self, first_key, second_key, amount=70.0):
        """The first terminal holds the card's lock after its spend while the second one asks for it."""
        return self.race(self._spend, (amount, first_key), (amount, second_key), hold=(StoredValueCard, "_spend"))

    def _card_state(self):
        with self.committed_env() as env:
            env.cr.execute(
                SQL(
                    """SELECT card.balance, COUNT(entry.id) FILTER (WHERE entry.entry_type = 'spend'),
                              SUM(entry.principal_amount + entry.bonus_amount)
                         FROM stored_value_card card JOIN stored_value_ledger entry ON entry.card_id = card.id
                        WHERE card.id = %s GROUP BY card.id""",
                    self.card_id,
                )
            )
            return env.cr.fetchone()

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

    def _guess(self, pin):
        """One terminal typing ``pin`` for the card, in a request of its own."""
        try:
            with self.committed_env() as env:
                env["stored.value.card"].browse(self.card_id)._check_pin(pin)
                return "ok", ""
        except UserError as error:
            return "refused", str(error)

    def _wrong_tries(self):
        with self.committed_env() as env:
            return env["stored.value.pin.attempt"]._failures_of([self.card_id]).get(self.card_id, 0)

    def test_two_wrong_guesses_at_once_count_twice(self):
        with self.committed_env() as env:
            env["stored.value.card"].browse(self.card_id)._set_pin("2468")
        results = self.race(
            self._guess, ("1111",), ("2222",), hold=(self.registry["stored.value.pin.attempt"], "_count_try")
        )
        self.assertEqual([status for status, _ in results], ["refused", "refused"])
        self.assertEqual(self._wrong_tries(), 2)

    def test_a_pin_typed_while_the_request_holds_the_card_does_not_wait_for_itself(self):
        with self.committed_env() as env:
            env["stored.value.card"].browse(self.card_id)._set_pin("2468")
        with self.committed_env() as env:
            card = env["stored.value.card"].browse(self.card_id)
            card._lock(touch=True)  # this request holds the card, as a payment does
            with self.assertRaisesRegex(UserError, "Wrong PIN"):
                card._check_pin("1111")
            env.cr.rollback()  # the payment fails; the wrong try stays counted
        self.assertEqual(self._wrong_tries(), 1)
