from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestKpiReports(StoredValueCommon):
    """Managers read the card KPIs by month, store and employee, and the unspent balances by age."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.stored_value_spend_order = "bonus_first"
        cls._create_rule(100.0, 20.0)
        cls.other_clerk = cls._create_sv_user(
            "sv_clerk_b", "Second Clerk", ["stored_value_crm.group_stored_value_user"], []
        )
        Employee = cls.env["hr.employee"].sudo()
        cls.zhang = Employee.create({"name": "Zhang Min", "company_id": cls.company.id, "user_id": cls.sv_user.id})
        cls.chen = Employee.create({"name": "Chen Jie", "company_id": cls.company.id, "user_id": cls.other_clerk.id})
        cls.card = cls._create_card(state="active")
        cls.other_card = cls._create_card(cls.other_holder, state="active")

    def book_two_months(self):
        """March: Zhang sells 200 (+20 bonus), Chen 100 (+20); the holder pays 50 (20 bonus, 30 principal).
        April: Zhang sells 50 (no bonus); the other holder pays 60 (20 bonus, 40 principal) at Chen's desk."""
        with freeze_time("2026-03-10 10:00:00"):
            self.top_up(self.card, 200.0, user=self.sv_user)
            self.top_up(self.other_card, 100.0, user=self.other_clerk)
            self.card.with_user(self.sv_user)._spend(50.0, "kpi/spend/1")
        with freeze_time("2026-04-15 10:00:00"):
            self.top_up(self.card, 50.0, user=self.sv_user)
            self.other_card.with_user(self.other_clerk)._spend(60.0, "kpi/spend/2")

    def kpis(self, groupby, aggregates, user=None):
        Report = self.env["stored.value.kpi.report"]
        Report = Report.with_user(user) if user else Report
        return Report._read_group([("company_id", "=", self.company.id)], groupby, aggregates, order=", ".join(groupby))

    def test_sums_by_employee_and_month_are_the_ledger_figures(self):
        self.book_two_months()
        measures = [
            "top_up_count:sum",
            "top_up_amount:sum",
            "bonus_given:sum",
            "principal_spent:sum",
            "bonus_spent:sum",
            "redeemed_amount:sum",
            "liability_change:sum",
        ]
        rows = self.kpis(["month:month", "employee_id"], measures, user=self.sv_manager)
        self.assertEqual(
            [(month.isoformat(), employee.name, *figures) for month, employee, *figures in rows],
            [
                ("2026-03-01", "Chen Jie", 1, 100.0, 20.0, 0.0, 0.0, 0.0, 100.0),
                ("2026-03-01", "Zhang Min", 1, 200.0, 20.0, 30.0, 20.0, 50.0, 170.0),
                ("2026-04-01", "Chen Jie", 0, 0.0, 0.0, 40.0, 20.0, 60.0, -40.0),
                ("2026-04-01", "Zhang Min", 1, 50.0, 0.0, 0.0, 0.0, 0.0, 50.0),
            ],
        )
        # The net change in liability is what the cards owe now.
        [(total,)] = self.kpis([], ["liability_change:sum"])
        self.assertEqual(total, sum((self.card | self.other_card).mapped("principal_balance")))
        self.assertEqual(total, 280.0)

    def test_months_are_those_of_the_company_s_time_zone(self):
        self.company.partner_id.tz = "Asia/Shanghai"
        with freeze_time("2026-03-31 17:30:00"):  # 01:30 on 1 April in Shanghai
            self.top_up(self.card, 100.0, user=self.sv_user)
        rows = self.kpis(["month:month"], ["top_up_amount:sum"], user=self.sv_manager)
        self.assertEqual([(month.isoformat(), amount) for month, amount in rows], [("2026-04-01", 100.0)])

    def test_bonus_cost_ratio_is_the_ratio_of_the_sums_at_any_grouping(self):
        self.book_two_months()
        # Bonus redeemed per 100 of principal redeemed: 40 / 70 overall, not the mean of 20/30 and 20/40.
        [(ratio,)] = self.kpis([], ["bonus_cost_ratio:avg"])
        self.assertAlmostEqual(ratio, 40 / 70 * 100)
        by_employee = self.kpis(["employee_id"], ["bonus_cost_ratio:avg", "bonus_spent:sum", "principal_spent:sum"])
        self.assertEqual(
            [(employee.name, round(ratio, 2), bonus, principal) for employee, ratio, bonus, principal in by_employee],
            [("Chen Jie", 50.0, 20.0, 40.0), ("Zhang Min", 66.67, 20.0, 30.0)],
        )

    def test_a_reversed_top_up_takes_its_top_up_back(self):
        with freeze_time("2026-05-05 09:00:00"):
            entries = self.top_up(self.card, 80.0, user=self.sv_user)
            entries[:1]._reverse()
        [(count, amount, liability)] = self.kpis([], ["top_up_count:sum", "top_up_amount:sum", "liability_change:sum"])
        self.assertEqual((count, amount, liability), (0, 0.0, 0.0))

    def test_refunds_to_the_card_and_in_cash_are_counted_apart(self):
        with freeze_time("2026-03-10 10:00:00"):
            self.top_up(self.card, 100.0, user=self.sv_user)  # 100 + 20 bonus
            self.card._spend(30.0, "kpi/spend/r")  # 20 bonus, 10 principal
            self.card._credit_back("refund", 10.0, 0.0, "kpi/refund/1")
            self.card._cash_refund(self.cash_journal, "kpi/cash/1")
        [(refunded, cash, liability)] = self.kpis(
            [], ["refund_to_wallet:sum", "cash_refund:sum", "liability_change:sum"]
        )
        self.assertEqual((refunded, cash, liability), (10.0, 100.0, 0.0))

    def test_unspent_balances_by_days_idle(self):
        today = fields.Datetime.now()
        cards = {}
        for days, amount in ((30, 10.0), (120, 20.0), (200, 40.0), (400, 150.0)):
            with freeze_time(today - timedelta(days=days)):
                cards[days] = self._create_card(state="active")
                self.top_up(cards[days], amount, user=self.sv_user)
        self._create_card(state="active")  # nothing on it: not listed
        Ageing = self.env["stored.value.balance.ageing.report"].with_user(self.sv_manager)
        rows = Ageing._read_group(
            [("company_id", "=", self.company.id)],
            ["ageing_bucket"],
            ["card_count:sum", "principal_balance:sum", "bonus_balance:sum", "breakage_estimate:sum"],
            order="ageing_bucket",
        )
        self.assertEqual(
            rows,
            [
                ("0_90", 1, 10.0, 0.0, 0.0),
                ("180_365", 1, 40.0, 0.0, 0.0),
                ("90_180", 1, 20.0, 0.0, 0.0),
                # Bonus is owed to nobody: the breakage estimate is the idle principal only.
                ("over_365", 1, 150.0, 20.0, 150.0),
            ],
        )
        # Summed per company, the principal is the liability the Liability report shows.
        [(company, principal)] = Ageing._read_group(
            [("company_id", "=", self.company.id)], ["company_id"], ["principal_balance:sum"]
        )
        report = self.env["stored.value.liability.report"].create({"company_id": self.company.id})
        self.assertEqual((company, principal), (self.company, report.wallet_principal))

    def test_only_managers_of_the_company_read_the_reports(self):
        self.book_two_months()
        for model in ("stored.value.kpi.report", "stored.value.balance.ageing.report"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.sv_user).search([])
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.sv_user)._read_group([], [], ["__count"])
        other_company = self.setup_other_company(name="Other Company")["company"]
        other_manager = self._create_sv_user(
            "sv_manager_b", "Other Manager", ["stored_value_crm.group_stored_value_manager"], []
        )
        other_manager.write({"company_ids": [Command.set(other_company.ids)], "company_id": other_company.id})
        for model in ("stored.value.kpi.report", "stored.value.balance.ageing.report"):
            Report = self.env[model].with_user(other_manager)
            self.assertFalse(Report.search([]))
            self.assertEqual(Report._read_group([], [], ["__count"]), [(0,)])
            self.assertTrue(self.env[model].with_user(self.sv_manager).search([]))
