from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletRefund(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_rule(100, 20, validity_days=30)

    def test_cash_refund_pays_back_principal_and_forfeits_bonus(self):
        card = self._create_card()
        self.top_up(card, 100)
        self.pay_with_card(self.make_invoice(30), card)  # 70 principal, 20 bonus left
        wizard = Form(
            self.env["stored.value.refund.wizard"].with_user(self.sv_manager).with_context(default_card_id=card.id)
        )
        wizard.journal_id = self.cash_journal
        self.assertEqual(wizard.refund_amount, 70)
        self.assertIn("remaining bonus is forfeited", wizard.policy)
        wizard.save().action_confirm()
        self.assertEqual((card.balance, card.state), (0, "closed"))
        refund = card.ledger_ids.filtered(lambda entry: entry.entry_type == "cash_refund")
        self.assertEqual((refund.principal_amount, refund.bonus_amount), (-70, -20))
        self.assertEqual(refund.source_ref.amount, 70)
        self.assertEqual(refund.source_ref.payment_type, "outbound")
        self.assertLedgerAgrees()

    def test_refund_policy_deducts_the_bonus_already_spent(self):
        self.company.stored_value_refund_deduct_bonus = True
        self.company.stored_value_spend_order = "bonus_first"
        card = self._create_card()
        self.top_up(card, 100)
        self.pay_with_card(self.make_invoice(30), card)  # 20 bonus + 10 principal spent: 90 principal left
        wizard = (
            self.env["stored.value.refund.wizard"]
            .with_user(self.sv_manager)
            .create({"card_id": card.id, "journal_id": self.cash_journal.id})
        )
        self.assertEqual((wizard.refund_amount, wizard.deduction), (70, 20))
        self.assertIn("minus the bonus already spent", wizard.policy)
        wizard.action_confirm()
        self.assertEqual(card.ledger_ids.filtered(lambda e: e.entry_type == "cash_refund").source_ref.amount, 70)
        self.assertLedgerAgrees()

    def test_only_managers_refund_adjust_and_close(self):
        card = self._create_card()
        self.top_up(card, 100)
        user_card = card.with_user(self.sv_user)
        for action in (user_card.action_refund, user_card.action_adjust):
            with self.assertRefused("Only a stored-value manager"):
                action()
        with self.assertRefused("needs a stored-value manager"):
            self.consent(card, "close", user=self.sv_user)
        with self.assertRefused("still holds"):
            self.consent(card, "close", user=self.sv_manager)

    def test_adjustment_needs_a_reason_and_moves_the_liability(self):
        card = self._create_card()
        self.top_up(card, 100)
        manager_card = card.with_user(self.sv_manager)
        with self.assertRefused("Say why"):
            manager_card._adjust(10, 0, " ", "adjust/1")
        entry = manager_card._adjust(-15, 5, "Counter error on 3 May", "adjust/2")
        self.assertEqual((card.principal_balance, card.bonus_balance), (85, 25))
        self.assertEqual(entry.reason, "Counter error on 3 May")
        self.assertLedgerAgrees()
        with self.assertRefused("not enough"):
            manager_card._adjust(-100, 0, "too much", "adjust/3")

    def test_compensation_credits_bonus_with_its_reason_and_owes_nothing(self):
        card = self._create_card()
        self.top_up(card, 100)
        card.action_freeze()
        before = card.balance
        with self.assertRefused("Say why"):
            card._compensate(20, "", "compensation/1")
        entry = card._compensate(20, "Late delivery, case C-7", "compensation/2")
        self.assertEqual(
            (entry.entry_type, entry.bonus_amount, entry.reason), ("compensation", 20, "Late delivery, case C-7")
        )
        self.assertEqual(card._compensate(20, "Late delivery, case C-7", "compensation/2"), entry, "booked once")
        self.assertEqual(card.balance, before + 20)
        self.assertLedgerAgrees()

    def test_transfer_moves_principal_and_bonus_to_another_holder(self):
        source, target = self._create_card(), self._create_card(self.other_holder)
        self.top_up(source, 100)
        self.top_up(target, 100)
        entries = source.with_user(self.sv_user)._transfer(target, 110, "transfer/1")
        self.assertEqual(entries.mapped("entry_type"), ["transfer_out", "transfer_in"])
        self.assertEqual((source.principal_balance, source.bonus_balance), (0, 10))
        self.assertEqual((target.principal_balance, target.bonus_balance), (200, 30))
        self.assertLedgerAgrees()
        with self.assertRefused("less than the"):
            source._transfer(target, 50, "transfer/2")

    def test_bonus_expires_after_its_validity_oldest_first(self):
        card = self._create_card()
        with freeze_time("2026-01-01"):
            self.top_up(card, 100)  # bonus 20, expires 2026-01-31
        with freeze_time("2026-01-20"):
            self.top_up(card, 100)  # bonus 20, expires 2026-02-19
            self.company.stored_value_spend_order = "bonus_first"
            self.pay_with_card(self.make_invoice(15), card)  # 15 of the first batch
        with freeze_time("2026-02-05"), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_expire_bonus()
            self.env["stored.value.card"]._cron_expire_bonus()  # a second run expires nothing more
        expiry = card.ledger_ids.filtered(lambda entry: entry.entry_type == "bonus_expiry")
        self.assertEqual(expiry.bonus_amount, -5, "only what is left of the first batch expires")
        self.assertEqual(card.bonus_balance, 20)
        with freeze_time("2026-03-01"), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_expire_bonus()
        self.assertEqual(card.bonus_balance, 0)
        self.assertLedgerAgrees()
