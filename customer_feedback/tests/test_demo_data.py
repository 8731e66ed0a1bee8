from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestDemoData(HttpCase):
    """A new user who opens the demo finds members, money, points and answers of this month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env.ref("loyalty_tiers.demo_program_member_points", raise_if_not_found=False)
        cls.portal_partner = cls.env.ref("base.partner_demo_portal", raise_if_not_found=False)
        cls.month_start = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def setUp(self):
        super().setUp()
        if not self.program or not self.env.ref("customer_feedback.demo_product_colour", raise_if_not_found=False):
            self.skipTest("installed without demo data")

    def test_portal_demo_user_sees_a_card_points_tier_answer_and_case(self):
        partner = self.portal_partner
        wallet = self.env["stored.value.card"].search([("partner_id", "=", partner.id), ("state", "=", "active")])
        self.assertEqual(len(wallet), 1)
        self.assertEqual(
            set(wallet.ledger_ids.mapped("entry_type")) & {"topup", "spend"}, {"topup", "spend"}, "topped up and paid"
        )
        member = self.env["loyalty.card"]._member_cards(partner)
        self.assertGreater(member.points, 0)
        self.assertEqual(member.tier_id, self.env.ref("loyalty_tiers.demo_tier_gold"))
        answers = self.env["survey.user_input"].search([("partner_id", "=", partner.id), ("state", "=", "done")])
        self.assertTrue(answers)
        case = self.env["customer.feedback.case"].search([("partner_id", "=", partner.id)])
        self.assertTrue(case)

        self.authenticate("portal", "portal")
        page = self.url_open("/my/stored-value")
        self.assertEqual(page.status_code, 200)
        self.assertIn(wallet.masked_number, page.text)
        self.assertNotIn("You have no stored-value card yet.", page.text)
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("You are not a member of a loyalty programme yet.", page.text)
        self.assertIn("Gold", page.text)
        page = self.url_open("/my/feedback-cases")
        self.assertIn(case[:1].reference, page.text)

    def test_nps_dashboard_opens_on_answers_of_this_month(self):
        Report = self.env["customer.feedback.report"]
        this_month = [("date", ">=", self.month_start), ("nps_category", "!=", False)]
        self.assertGreaterEqual(Report.search_count(this_month), 5)
        self.assertEqual(len(set(Report.search(this_month).mapped("pos_config_id"))), 2, "answers of both shops")
        self.assertGreaterEqual(self.env["customer.feedback.case"].search_count([]), 3, "a few complaint cases")

    def test_two_stores_with_their_teams_sell_this_month(self):
        shops = self.env.ref("point_of_sale.pos_config_main") | self.env.ref(
            "customer_feedback.demo_pos_config_huaihai"
        )
        self.assertEqual(len(shops.crm_team_id), 2, "each shop reports under its own store team")
        for shop in shops:
            orders = self.env["pos.order"].search_count(
                [("config_id", "=", shop.id), ("date_order", ">=", self.month_start), ("state", "in", ("paid", "done"))]
            )
            self.assertGreater(orders, 0, shop.name)
        first = self.env["pos.order"].search([], order="date_order", limit=1).date_order
        self.assertLess(first, fields.Datetime.now() - timedelta(days=330), "a year of purchases")

    def test_members_in_every_tier_and_stage_with_segments_and_value(self):
        cards = self.program.coupon_ids
        self.assertGreaterEqual(len(cards), 150)
        self.assertEqual(cards.tier_id, self.program.tier_ids, "members in every tier")
        partners = self.env["res.partner"].with_company(self.env.company).browse(cards.partner_id.ids)
        self.assertEqual(
            set(partners.lifecycle_stage_id.mapped("code")),
            set(self.env["loyalty.lifecycle.stage"].search([]).mapped("code")),
            "members in every life cycle stage",
        )
        self.assertGreaterEqual(len(set(partners.mapped("rfm_segment")) - {False}), 3, "value segments computed")
        self.assertTrue(any(partners.mapped("member_predicted_clv")), "lifetime values computed")
        self.assertTrue(any(cards.mapped("points_expiring")), "some points expire soon")

    def test_members_joined_over_the_year_and_some_this_month(self):
        Report = self.env["loyalty.member.monthly.report"]
        this_month = self.month_start.date()
        [(members, new, active)] = Report._read_group(
            [("month", "=", this_month)],
            [],
            ["partner_id:count_distinct", "new_member_count:sum", "active_member_count:sum"],
        )
        self.assertGreaterEqual(members, 150)
        self.assertTrue(0 < new < members / 2, "most members joined before this month")
        self.assertGreater(active, 0)
        joined = Report._read_group([("new_member_count", "=", 1)], ["month:month"], ["__count"])
        self.assertGreaterEqual(len(joined), 10, "members joined in most months of the year")
        tiers = Report._read_group([("month", "<", this_month)], ["loyalty_tier_id"], ["__count"])
        self.assertGreaterEqual(len(tiers), 2, "earlier months have their own tiers")

    def test_ledgers_and_point_batches_agree_with_the_cards(self):
        self.assertEqual(self.env["stored.value.card"].browse()._ledger_discrepancies(), {})
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT card.id FROM loyalty_card card
                LEFT JOIN loyalty_point_batch batch ON batch.card_id = card.id AND batch.state = 'open'
                    WHERE card.program_id = %s
                 GROUP BY card.id
                HAVING ROUND(card.points::numeric, 2) != ROUND(COALESCE(SUM(batch.remaining), 0)::numeric, 2)""",
                self.program.id,
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [], "the open point batches hold what each card holds")

    def test_won_back_members_were_dormant_or_lost_before_they_returned(self):
        won_back = self.env.ref("loyalty_tiers.lifecycle_stage_won_back")
        partners = (
            self.env["res.partner"].with_company(self.env.company).search([("lifecycle_stage_id", "=", won_back.id)])
        )
        self.assertTrue(partners)
        History = self.env["loyalty.lifecycle.history"]
        for partner in partners:
            returned = History.search(
                [("partner_id", "=", partner.id), ("to_stage_id", "=", won_back.id)], order="date desc", limit=1
            )
            self.assertIn(returned.from_stage_id.code, ("dormant", "lost"), partner.name)
            away = History.search(
                [("partner_id", "=", partner.id), ("to_stage_id", "=", returned.from_stage_id.id)], limit=1
            )
            self.assertLess(away.date, returned.date, "dormant or lost on an earlier night")
            last_visit = self.env["pos.order"].search(
                [("partner_id", "=", partner.id)], order="date_order desc", limit=1
            )
            self.assertLessEqual(last_visit.date_order.date(), returned.date, "won back by the visit before it")
