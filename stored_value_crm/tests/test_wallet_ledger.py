from psycopg2.errors import CheckViolation

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletLedger(StoredValueCommon):
    def setUp(self):
        super().setUp()
        self.card = self._create_card()
        self.top_up(self.card, 100)
        self.entry = self.card.ledger_ids

    def test_entries_record_balances_user_and_source(self):
        self.assertEqual(self.entry.entry_type, "topup")
        self.assertEqual((self.entry.principal_balance_after, self.entry.balance_after), (100, 100))
        self.assertEqual(self.entry.user_id, self.env.user)
        self.assertEqual(self.entry.source_ref._name, "account.payment")
        self.assertTrue(self.entry.name.startswith("SVL/"))

    def test_nobody_can_change_or_delete_an_entry(self):
        for user in (self.sv_user, self.sv_manager):
            with self.assertRefused("reversing entry"):
                self.entry.with_user(user).write({"principal_amount": 1000})
            with self.assertRaises(AccessError):
                self.entry.with_user(user).unlink()
        with self.assertRefused("reversing entry"):
            self.entry.sudo().write({"principal_amount": 1000})
        with self.assertRefused("reversing entry"):
            self.entry.sudo().unlink()

    def test_users_cannot_write_entries_or_balances_directly(self):
        with self.assertRaises(AccessError):
            self.env["stored.value.ledger"].with_user(self.sv_manager).create(
                {"card_id": self.card.id, "entry_type": "adjustment", "principal_amount": 999}
            )
        with self.assertRaisesRegex(AccessError, "only through the suite's checked actions"):
            self.card.with_user(self.sv_manager).write({"principal_balance": 999})

    def test_reversal_restores_the_balance_once(self):
        reversal = self.entry._reverse()
        self.assertEqual(self.card.balance, 0)
        self.assertEqual(self.entry._reverse(), reversal, "reversing twice books once")
        with self.assertRefused("itself a reversal"):
            reversal._reverse()

    def test_check_finds_a_balance_that_disagrees_with_its_ledger(self):
        self.assertEqual(self.card._ledger_discrepancies(), {})
        self.card.action_check_ledger()
        self.env.cr.execute(SQL("UPDATE stored_value_card SET principal_balance = 90 WHERE id = %s", self.card.id))
        self.card.invalidate_recordset()
        with self.assertRefused("ledger sums to principal 100"):
            self.card.action_check_ledger()
        self.env["stored.value.card"]._cron_check_ledger()
        self.env["stored.value.card"]._cron_check_ledger()
        self.assertEqual(len(self.card.activity_ids), 1, "the cron warns a manager once per card")

    def test_negative_balance_is_impossible_even_in_sql(self):
        with self.assertRaises(CheckViolation), self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.env.cr.execute(SQL("UPDATE stored_value_card SET bonus_balance = -1 WHERE id = %s", self.card.id))

    def test_liability_report_agrees_with_the_ledger(self):
        self.pay_with_card(self.make_invoice(40), self.card)
        report = (
            self.env["stored.value.liability.report"].with_user(self.sv_manager).create({"company_id": self.company.id})
        )
        self.assertEqual((report.wallet_principal, report.account_balance), (60, 60))
        self.assertTrue(report.agrees)
