from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberCohorts(LoyaltyTiersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.members = Partner.create([{"name": f"Cohort Member {n}"} for n in range(10)])
        cls.latecomer = Partner.create({"name": "February Member"})
        for partner in cls.members | cls.latecomer:
            card = cls.env["loyalty.card"].create({"program_id": cls.program.id, "partner_id": partner.id})
            cls._backdate(card, "2024-12-01 09:00")  # members before their first purchase
        cls.walk_in = Partner.create({"name": "Walk-in Customer"})

    def buy(self, day, partners, amount=50, move_type="out_invoice"):
        with freeze_time(day):
            for partner in partners:
                self.make_invoice(amount, partner=partner, move_type=move_type)

    def make_history(self):
        """January 2025: all ten buy, member 0 twice. February: members 0-5 buy. March: members 0, 1 and 6
        buy, member 9 only gets a refund. April: member 0 buys. The latecomer first buys in February."""
        members = self.members
        self.buy("2025-01-10", members)
        self.buy("2025-01-20", members[0])
        self.buy("2025-02-05", members[:6] | self.latecomer)
        self.buy("2025-03-12", members[0] | members[1] | members[6])
        self.buy("2025-03-15", members[9], amount=20, move_type="out_refund")
        self.buy("2025-04-02", members[0])
        self.buy("2025-04-03", self.walk_in)

    def cohort(self, partners, user=None):
        Report = self.env["loyalty.member.cohort.report"].with_user(user or self.env.user)
        groups = Report._read_group(
            [("partner_id", "in", partners.ids)],
            ["cohort_month:month", "month_offset"],
            ["member_count:sum", "retained_count:sum", "retention:avg", "churn:avg", "repeat_rate:avg"],
        )
        return {(month, offset): tuple(round(value, 2) for value in values) for month, offset, *values in groups}

    def test_retention_churn_and_repeat_rate_of_a_cohort(self):
        self.make_history()
        january = self.cohort(self.members)
        # (customers, bought that month, retention %, churn %, repeat purchase rate %)
        self.assertEqual(january[date(2025, 1, 1), 0], (10, 10, 100, 0, 10), "member 0 bought twice in January")
        self.assertEqual(january[date(2025, 1, 1), 1], (10, 6, 60, 40, 60))
        self.assertEqual(january[date(2025, 1, 1), 2], (10, 3, 30, 70, 70), "a refund is not a purchase")
        self.assertEqual(january[date(2025, 1, 1), 3], (10, 1, 10, 90, 70))
        self.assertEqual(
            {key for key in january if key[0] != date(2025, 1, 1)}, set(), "every member is in the January cohort"
        )
        # A cohort runs to the company's latest month with a purchase, whoever made it.
        february = self.cohort(self.latecomer)
        self.assertEqual(sorted(february), [(date(2025, 2, 1), 0), (date(2025, 2, 1), 1), (date(2025, 2, 1), 2)])
        self.assertEqual(february[date(2025, 2, 1), 1], (1, 0, 0, 100, 0))

    def test_the_whole_cohort_at_once_and_only_members_by_default(self):
        self.make_history()
        Report = self.env["loyalty.member.cohort.report"]
        partners = self.members | self.latecomer | self.walk_in
        [(retention, repeat_rate)] = Report._read_group(
            [("partner_id", "in", self.members.ids), ("month_offset", "in", [1, 2, 3])],
            [],
            ["retention:avg", "repeat_rate:avg"],
        )
        self.assertAlmostEqual(retention, (60 + 30 + 10) / 3)
        self.assertAlmostEqual(repeat_rate, (60 + 70 + 70) / 3)
        members = Report.search([("partner_id", "in", partners.ids), ("is_member", "=", True)])
        self.assertEqual(members.partner_id, self.members | self.latecomer)
        self.assertEqual(Report.search([("partner_id", "=", self.walk_in.id)]).cohort_month, date(2025, 4, 1))

    def test_membership_and_tier_are_those_of_the_first_purchase_month(self):
        self.make_history()
        regular, joiner = self.members[0], self.members[9]
        self._backdate(self.env["loyalty.card"].search([("partner_id", "=", joiner.id)]), "2025-02-10 09:00")
        card = self.env["loyalty.card"].search([("partner_id", "=", regular.id)])
        card.sudo()._posting().write({"earned_tier_id": self.silver.id})
        self.env["loyalty.tier.history"].sudo()._posting().create(
            {
                "card_id": card.id,
                "old_tier_id": self.regular.id,
                "new_tier_id": self.silver.id,
                "change": "upgrade",
                "reason": "Spent enough",
                "date": "2025-03-01 10:00:00",
            }
        )
        Report = self.env["loyalty.member.cohort.report"].with_user(self.tier_user)
        rows = Report.search([("partner_id", "in", (regular | joiner).ids)])
        first = {row.partner_id: (row.is_member, row.loyalty_tier_id) for row in rows if row.month_offset == 0}
        self.assertEqual(first[joiner], (False, self.env["loyalty.tier"]), "joined after their first purchase")
        self.assertEqual(first[regular], (True, self.regular), "Regular when they first bought, Silver now")
        self.assertEqual(set(rows.filtered(lambda row: row.partner_id == joiner).mapped("is_member")), {False})
        self.assertEqual(
            set(rows.filtered(lambda row: row.partner_id == regular).mapped("loyalty_tier_id")),
            {self.regular},
            "a cohort keeps its customers in the same groups every month",
        )

    def test_purchases_are_those_of_the_value_segments(self):
        self.make_history()
        with freeze_time("2025-04-10"):
            self.paid_pos_order_in_other_currency(100, partner=self.members[3])
        Partner = self.env["res.partner"]
        self.env.flush_all()
        self.env.cr.execute(Partner._rfm_scores_sql(self.company, date(2025, 4, 30), 12))
        segments = {row[0]: (row[2], round(row[3], 2)) for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, COUNT(*) FILTER (WHERE amount > 0), ROUND(SUM(amount)::numeric, 2)
                     FROM (%s) purchases WHERE partner_id IS NOT NULL GROUP BY partner_id""",
                Partner._loyalty_purchases_sql(self.company, date(2024, 4, 30)),
            )
        )
        purchases = {row[0]: (row[1], float(row[2])) for row in self.env.cr.fetchall()}
        self.assertEqual(purchases, segments)
        self.assertEqual(purchases[self.members[3].id], (3, 150.0), "two invoices and an order at half the price")
        self.assertEqual(self.cohort(self.members[3])[date(2025, 1, 1), 3][1], 1, "the April order counts")

    def test_loyalty_users_read_the_report_and_nobody_writes_it(self):
        self.make_history()
        self.assertEqual(self.cohort(self.members, user=self.tier_user)[date(2025, 1, 1), 1][:2], (10, 6))
        Report = self.env["loyalty.member.cohort.report"]
        row = Report.search([("partner_id", "=", self.members[0].id)], limit=1)
        with self.assertRaises(AccessError):
            row.with_user(self.tier_manager).write({"retention": 0})
        with self.assertRaises(AccessError):
            Report.with_user(self.tier_manager).create({"retention": 100})
        with self.assertRaises(AccessError):
            Report.with_user(self.plain_user).search([])

    def test_each_company_has_its_own_cohorts(self):
        self.make_history()
        other = self.setup_other_company(name="Other Shop")["company"]
        with freeze_time("2025-06-01"):
            invoice = (
                self.env["account.move"]
                .with_company(other)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.members[0].id,
                        "company_id": other.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Service", "price_unit": 80, "quantity": 1, "tax_ids": False})
                        ],
                    }
                )
            )
            invoice.action_post()
        Report = self.env["loyalty.member.cohort.report"].with_context(allowed_company_ids=[self.company.id, other.id])
        there = Report.search([("partner_id", "=", self.members[0].id), ("company_id", "=", other.id)])
        self.assertEqual(there.mapped("cohort_month"), [date(2025, 6, 1)], "a first purchase there, in June")
        here = Report.search([("partner_id", "=", self.members[0].id), ("company_id", "=", self.company.id)])
        self.assertEqual(set(here.mapped("cohort_month")), {date(2025, 1, 1)})
        self.assertEqual(max(here.mapped("month_offset")), 3, "the other company's June does not lengthen this one")
        # A loyalty user of this company only sees this company's cohorts.
        mine = self.env["loyalty.member.cohort.report"].with_user(self.tier_user).search([])
        self.assertEqual(mine.company_id, self.company)
