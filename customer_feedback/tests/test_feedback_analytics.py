from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackAnalytics(CustomerFeedbackCommon):
    """NPS by store, point of sale and salesperson over time; satisfaction trend; complaint volume and speed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.feedback_invitation_interval_days = 0
        cls.rule = cls._create_rule()
        cls.seller = cls._create_sv_user("fb_seller", "Seller Sun", ["point_of_sale.group_pos_user"], [])

    def answer_order(self, partner, nps, user=None):
        order, _synced = self.sell_at_pos(partner, user=user)
        return self.answer(partner, nps=nps, invitation=order.feedback_invitation_id)

    def test_new_manager_reads_this_months_nps_by_store(self):
        start = fields.Datetime.now()
        customers = self.env["res.partner"].create([{"name": f"Member {n}"} for n in range(6)])
        with freeze_time(start - timedelta(days=62)):
            self.answer_order(customers[0], 0)  # an older month does not count
        with freeze_time(start):
            for customer, score in zip(customers[1:], (10, 9, 8, 3, 10), strict=True):
                self.answer_order(customer, score)
        manager = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": "fb_new_manager",
                    "name": "New Store Manager",
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                    "group_ids": [Command.set(self.env.ref("customer_feedback.group_customer_feedback_manager").ids)],
                }
            )
        )
        Report = self.env["customer.feedback.report"].with_user(manager)
        action = (
            self.env["ir.actions.act_window"]
            .with_user(manager)
            ._for_xml_id("customer_feedback.customer_feedback_report_action_dashboard")
        )
        self.assertEqual(action["res_model"], "customer.feedback.report")
        Report.get_views([(False, "pivot"), (False, "graph"), (False, "search")])
        month_start = fields.Datetime.to_string(fields.Datetime.start_of(start, "month"))
        groups = Report.formatted_read_group(
            [("date", ">=", month_start), ("nps_category", "!=", False)], ["warehouse_id"], ["nps:avg", "__count"]
        )
        self.assertEqual(len(groups), 1)
        store = groups[0]["warehouse_id"]
        self.assertEqual(store[0], self.pos_config.picking_type_id.warehouse_id.id)
        self.assertEqual(groups[0]["__count"], 5)
        self.assertAlmostEqual(groups[0]["nps:avg"], (3 - 1) / 5 * 100)

    def test_nps_by_point_of_sale_and_salesperson(self):
        first, second = self.env["res.partner"].create([{"name": "Member A"}, {"name": "Member B"}])
        self.answer_order(first, 10, user=self.seller)
        self.answer_order(second, 2)
        groups = self.env["customer.feedback.report"]._read_group(
            [("partner_id", "in", (first | second).ids)], ["user_id", "pos_config_id"], ["nps:avg"]
        )
        self.assertEqual(
            sorted((user.name, config, nps) for user, config, nps in groups),
            [("Seller Sun", self.pos_config, 100.0), ("Shop Cashier", self.pos_config, -100.0)],
        )

    def test_nps_by_member_tier(self):
        program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Members", "program_type": "loyalty", "company_id": self.company.id})
        )
        gold = self.env["loyalty.tier"].sudo().create({"name": "Gold", "program_id": program.id})
        member, walk_in = self.env["res.partner"].create([{"name": "Gold Member"}, {"name": "Walk-in"}])
        self.env["loyalty.card"].sudo().create(
            {"program_id": program.id, "partner_id": member.id, "earned_tier_id": gold.id}
        )
        self.answer_order(member, 9)
        self.answer_order(walk_in, 3)
        groups = self.env["customer.feedback.report"]._read_group(
            [("partner_id", "in", (member | walk_in).ids)], ["loyalty_tier_id"], ["nps:avg"]
        )
        self.assertEqual(sorted((tier.name or "", nps) for tier, nps in groups), [("", -100.0), ("Gold", 100.0)])

    def test_nps_by_the_tier_held_when_answering(self):
        program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Members", "program_type": "loyalty", "company_id": self.company.id})
        )
        Tier = self.env["loyalty.tier"].sudo()
        gold = Tier.create({"name": "Gold", "program_id": program.id, "sequence": 10, "min_spend": 1000})
        diamond = Tier.create({"name": "Diamond", "program_id": program.id, "sequence": 20, "min_spend": 5000})
        member = self.env["res.partner"].create({"name": "Climbing Member"})
        card = self.env["loyalty.card"].sudo().create({"program_id": program.id, "partner_id": member.id})
        start = fields.Datetime.now()
        with freeze_time(start - timedelta(days=20)):
            card._posting().write({"earned_tier_id": gold.id})
            self.env["loyalty.tier.history"].sudo()._posting().create(
                {"card_id": card.id, "new_tier_id": gold.id, "change": "upgrade", "reason": "Spent enough"}
            )
            self.answer_order(member, 6)
        with freeze_time(start - timedelta(days=10)):
            card._posting().write({"earned_tier_id": diamond.id})
            self.env["loyalty.tier.history"].sudo()._posting().create(
                {
                    "card_id": card.id,
                    "old_tier_id": gold.id,
                    "new_tier_id": diamond.id,
                    "change": "upgrade",
                    "reason": "Spent more",
                }
            )
        with freeze_time(start):
            self.answer_order(member, 10)
        groups = (
            self.env["customer.feedback.report"]
            .with_user(self.feedback_user)
            ._read_group([("partner_id", "=", member.id)], ["loyalty_tier_id"], ["nps:avg"])
        )
        self.assertEqual(
            sorted((tier.sudo().name, nps) for tier, nps in groups),
            [("Diamond", 100.0), ("Gold", -100.0)],
            "the detractor's answer stays with the Gold tier they held then",
        )

    def test_satisfaction_trend_by_month(self):
        start = fields.Datetime.now()
        with freeze_time(start - timedelta(days=40)):
            self.answer(self.holder, csat=2)
        with freeze_time(start):
            self.answer(self.holder, csat=4)
            self.answer(self.other_holder, csat=5)
        trend = self.env["customer.feedback.report"]._read_group(
            [("csat_score", "!=", False), ("partner_id", "in", (self.holder | self.other_holder).ids)],
            ["date:month"],
            ["csat_score:avg"],
        )
        self.assertEqual([average for _month, average in trend], [2.0, 4.5])

    def test_complaint_volume_and_resolution_time(self):
        start = fields.Datetime.now().replace(microsecond=0)
        Case = self.env["customer.feedback.case"]
        with freeze_time(start):
            cases = Case.create(
                [{"name": f"Complaint {n}", "partner_id": self.holder.id, "resolution_note": "Done"} for n in range(3)]
            )
        with freeze_time(start + timedelta(hours=10)):
            cases[0].action_resolve()
        with freeze_time(start + timedelta(hours=30)):
            cases[1].action_resolve()
        self.assertEqual(Case._read_group([("id", "in", cases.ids)], [], ["__count"])[0][0], 3)
        self.assertAlmostEqual(
            Case._read_group([("id", "in", cases.ids), ("state", "=", "resolved")], [], ["resolution_hours:avg"])[0][0],
            20.0,
        )
