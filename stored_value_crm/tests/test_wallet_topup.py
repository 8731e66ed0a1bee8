from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletTopup(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_100 = cls._create_rule(100, 10, validity_days=30)
        cls.rule_1000 = cls._create_rule(1000, 20, "percent")

    def test_top_up_credits_principal_and_best_bonus_and_owes_the_principal(self):
        card = self._create_card()
        entries = self.top_up(card, 1000)
        self.assertEqual(card.state, "active", "selling a new card activates it")
        self.assertEqual((card.principal_balance, card.bonus_balance, card.balance), (1000, 200, 1200))
        self.assertEqual(entries.mapped("entry_type"), ["topup", "bonus"])
        self.assertEqual(entries[1].bonus_rule_id, self.rule_1000, "only the best rule applies by default")
        payment = entries[0].source_ref
        self.assertEqual(payment.journal_id, self.cash_journal)
        self.assertEqual(payment.destination_account_id, self.deposit_account)
        self.assertEqual(self.deposits_owed(), 1000, "the bonus is a promotion, not a debt")
        self.assertLedgerAgrees(card)

    def test_stacking_gives_every_matching_bonus(self):
        self.company.stored_value_bonus_stacking = True
        card = self._create_card()
        self.top_up(card, 1000)
        self.assertEqual(card.bonus_balance, 210)

    def test_bonus_outside_its_dates_or_below_threshold_is_not_given(self):
        self.rule_100.date_to = "2020-01-01"
        card = self._create_card()
        self.top_up(card, 999)
        self.assertEqual(card.bonus_balance, 0)

    def test_wizard_previews_the_bonus_before_confirming(self):
        card = self._create_card()
        wizard = Form(
            self.env["stored.value.topup.wizard"].with_user(self.sv_user).with_context(default_card_id=card.id)
        )
        wizard.amount = 150
        self.assertEqual(wizard.bonus_amount, 10)
        self.assertEqual(wizard.balance_after, 160)
        self.assertIn("expires 30 days after", wizard.bonus_details)
        self.assertEqual(card.ledger_count, 0, "a preview books nothing")
        wizard.save().action_confirm()
        self.assertEqual(card.balance, 160)

    def test_bonus_carries_its_expiry_date(self):
        card = self._create_card()
        with freeze_time("2026-03-01"):
            entries = self.top_up(card, 100)
        self.assertEqual(str(entries[1].bonus_expiry_date), "2026-03-31")

    def test_replayed_key_books_once_and_returns_the_first_entries(self):
        card = self._create_card()
        first = card._top_up(500, self.cash_journal, "till-7/ticket-42")
        again = card._top_up(500, self.cash_journal, "till-7/ticket-42")
        self.assertEqual(first, again)
        self.assertEqual(card.balance, 510)
        self.assertEqual(len(self.env["account.payment"].search([("partner_id", "=", self.holder.id)])), 1)
        with self.assertRefused("already used for another movement"):
            card._top_up(300, self.cash_journal, "till-7/ticket-42")

    def test_bad_top_ups_are_refused_and_write_nothing(self):
        card = self._create_card()
        self.top_up(card, 100)
        for amount in (0, -50):
            with self.assertRefused("must be positive"):
                self.top_up(card, amount)
        card.action_freeze()
        with self.assertRefused("is frozen"):
            self.top_up(card, 100)
        self.assertEqual(card.balance, 110)
        self.assertEqual(len(card.ledger_ids), 2)

    def test_top_up_into_another_company_journal_is_refused(self):
        other = self.setup_other_company()["company"]
        other_cash = self.env["account.journal"].search([("company_id", "=", other.id), ("type", "=", "cash")], limit=1)
        card = self._create_card()
        with self.assertRefused("belongs to"):
            card._top_up(100, other_cash, "other-company")
        self.assertFalse(card.ledger_ids)

    def test_top_up_in_another_currency_is_refused(self):
        card = self._create_card()
        usd_journal = self.cash_journal.copy({"currency_id": self.setup_other_currency("EUR").id, "code": "CEUR"})
        with self.assertRefused("holds"):
            card._top_up(100, usd_journal, "wrong-currency")
        self.assertFalse(card.ledger_ids)

    def test_rules_with_wrong_values_are_refused(self):
        with self.assertRaises(ValidationError):
            self._create_rule(0, 10)
        with self.assertRaises(ValidationError):
            self._create_rule(100, 120, "percent")
        with self.assertRaises(ValidationError):
            self._create_rule(100, 10, date_from="2026-02-01", date_to="2026-01-01")
