from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberMonthly(LoyaltyTiersCommon):
    """Members, new and active members by month, home store and tier at the month's end, worked by hand.

    Cards: member 3 a stored-value card on 2024-12-20 and a loyalty card on 2025-02-15; members 0 and 1
    loyalty cards on 2025-01-05 and 2025-01-20; member 2 only a stored-value card on 2025-02-03;
    members 4 and 5 loyalty cards on 2025-03-10 and 2025-03-20. Purchases: member 0 at Huaihai in
    January and February and on an invoice in March; member 1 at Jing'an in January and March; member 2
    at Huaihai in February; member 3 at Jing'an in March; member 4 on an invoice in March; member 5 only
    a refund in March; a walk-in customer without a card at Huaihai in January. Member 0 went from
    Regular to Silver on 2025-02-20.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Config = cls.env["pos.config"].sudo()
        journal = cls.company_data["default_journal_sale"]
        cls.huaihai = Config.create({"name": "Huaihai Road", "journal_id": journal.id, "company_id": cls.company.id})
        cls.jingan = Config.create({"name": "Jing'an", "journal_id": journal.id, "company_id": cls.company.id})
        cls.members = cls.env["res.partner"].create([{"name": f"Monthly Member {n}"} for n in range(6)])
        cls.walk_in = cls.env["res.partner"].create({"name": "Monthly Walk-in"})
        m0, m1, m2, m3, m4, m5 = cls.members
        for partner, day in [
            (m0, "2025-01-05"),
            (m1, "2025-01-20"),
            (m3, "2025-02-15"),
            (m4, "2025-03-10"),
            (m5, "2025-03-20"),
        ]:
            card = cls._member(partner)
            card.sudo()._posting().write({"earned_tier_id": (cls.silver if partner == m0 else cls.regular).id})
            cls._backdate(card, f"{day} 09:00")
        for partner, day in [(m2, "2025-02-03"), (m3, "2024-12-20")]:
            cls._backdate(cls._create_card(partner, state="active"), f"{day} 09:00")
        cls.env["loyalty.tier.history"].sudo()._posting().create(
            {
                "card_id": cls.env["loyalty.card"].search([("partner_id", "=", m0.id)]).id,
                "old_tier_id": cls.regular.id,
                "new_tier_id": cls.silver.id,
                "change": "upgrade",
                "reason": "Spent enough",
                "date": datetime(2025, 2, 20, 10, 0),
            }
        )
        for partner, config, day in [
            (m0, cls.huaihai, "2025-01-10"),
            (m0, cls.huaihai, "2025-02-14"),
            (m1, cls.jingan, "2025-01-25"),
            (m1, cls.jingan, "2025-03-08"),
            (m2, cls.huaihai, "2025-02-10"),
            (m3, cls.jingan, "2025-03-01"),
            (cls.walk_in, cls.huaihai, "2025-01-10"),
        ]:
            cls._pos_purchase(partner, config, day)
        for partner, day, amount, move_type in [
            (m0, "2025-03-03", 70, "out_invoice"),
            (m4, "2025-03-12", 40, "out_invoice"),
            (m5, "2025-03-25", 30, "out_refund"),
        ]:
            with freeze_time(day):
                cls.make_invoice(cls, amount, partner=partner, move_type=move_type)

    @classmethod
    def _pos_purchase(cls, partner, config, day, amount=100.0):
        session = cls.env["pos.session"].sudo().search([("config_id", "=", config.id), ("state", "!=", "closed")])
        session = session or cls.env["pos.session"].sudo().create({"config_id": config.id})
        order = (
            cls.env["pos.order"]
            .sudo()
            .create(
                {
                    "session_id": session.id,
                    "partner_id": partner.id,
                    "date_order": f"{day} 11:00:00",
                    "amount_tax": 0,
                    "amount_total": amount,
                    "amount_paid": amount,
                    "amount_return": 0,
                }
            )
        )
        order.state = "paid"
        return order

    def figures(self, groupby, user=None, domain=()):
        """``{group: (members, new members, active members)}`` of the fixture's members, as the views sum them."""
        Report = self.env["loyalty.member.monthly.report"].with_user(user or self.env.user)
        groups = Report._read_group(
            [("partner_id", "in", self.members.ids), *domain],
            groupby,
            ["member_count:sum", "new_member_count:sum", "active_member_count:sum"],
        )
        width = len(groupby)
        return {row[0] if width == 1 else row[:width]: row[width:] for row in groups}

    def test_members_new_and_active_by_month(self):
        by_month = self.figures(["month:month"])
        self.assertEqual(by_month[date(2024, 12, 1)], (1, 1, 0), "member 3's stored-value card came first")
        self.assertEqual(by_month[date(2025, 1, 1)], (3, 2, 2))
        self.assertEqual(by_month[date(2025, 2, 1)], (4, 1, 2), "member 3's loyalty card does not make them new")
        self.assertEqual(by_month[date(2025, 3, 1)], (6, 2, 4), "member 5's refund is not a purchase")
        self.assertEqual(by_month[date(2025, 4, 1)], (6, 0, 0))
        this_month = date.today().replace(day=1)
        self.assertEqual(max(by_month), this_month, "every member counts up to this month")
        self.assertEqual(by_month[this_month][0], 6)
        Report = self.env["loyalty.member.monthly.report"]
        self.assertFalse(Report.search([("partner_id", "=", self.walk_in.id)]), "no card, not a member")
        march = Report.search([("partner_id", "in", self.members.ids), ("month", "=", "2025-03-01")])
        spend = {row.partner_id: (row.purchase_count, row.spend, row.active_rate) for row in march}
        self.assertEqual(spend[self.members[0]], (1, 70, 100))
        self.assertEqual(spend[self.members[5]], (0, -30, 0), "a refund lowers the spend")
        self.assertEqual(march.currency_id, self.company.currency_id)
        [(rate,)] = Report._read_group(
            [("partner_id", "in", self.members.ids), ("month", "=", "2025-03-01")], [], ["active_rate:avg"]
        )
        self.assertAlmostEqual(rate, 4 / 6 * 100)

    def test_members_by_home_store(self):
        by_store = self.figures(["month:month", "pos_config_id"])
        march = {store: values for (month, store), values in by_store.items() if month == date(2025, 3, 1)}
        self.assertEqual(march[self.huaihai], (2, 0, 1), "members 0 and 2 first bought at Huaihai")
        self.assertEqual(march[self.jingan], (2, 0, 2), "members 1 and 3 first bought at Jing'an")
        self.assertEqual(march[self.env["pos.config"]], (2, 2, 1), "members 4 and 5 have no store")
        january = {store: values for (month, store), values in by_store.items() if month == date(2025, 1, 1)}
        self.assertEqual(january[self.jingan], (2, 1, 1), "member 3's home store is theirs before they bought")

    def test_members_by_tier_at_the_end_of_each_month(self):
        by_tier = self.figures(["month:month", "loyalty_tier_id"])
        Tier = self.env["loyalty.tier"]
        self.assertEqual(by_tier[date(2025, 1, 1), self.regular], (3, 2, 2), "member 0 was Regular until February")
        self.assertNotIn((date(2025, 1, 1), self.silver), by_tier)
        self.assertEqual(by_tier[date(2025, 2, 1), self.silver], (1, 0, 1), "member 0 is Silver from February")
        self.assertEqual(by_tier[date(2025, 2, 1), self.regular], (2, 0, 0))
        self.assertEqual(by_tier[date(2025, 2, 1), Tier], (1, 1, 1), "member 2 holds only a stored-value card")
        self.assertEqual(by_tier[date(2025, 4, 1), self.silver], (1, 0, 0))

    def test_member_report_readers(self):
        self.assertEqual(self.figures(["month:month"], user=self.tier_user)[date(2025, 3, 1)], (6, 2, 4))
        # The Stored Value dashboard's managers read it too.
        self.assertEqual(self.figures(["month:month"], user=self.sv_manager)[date(2025, 3, 1)], (6, 2, 4))
        Report = self.env["loyalty.member.monthly.report"]
        for user in (self.sv_user, self.plain_user):
            with self.assertRaises(AccessError):
                Report.with_user(user).search([])
        row = Report.search([("partner_id", "=", self.members[0].id)], limit=1)
        with self.assertRaises(AccessError):
            row.with_user(self.tier_manager).write({"member_count": 2})

    def test_each_company_has_its_own_members(self):
        other = self.setup_other_company(name="Other Shop")["company"]
        program = self.env["loyalty.program"].create(
            {"name": "Other Points", "program_type": "loyalty", "company_id": other.id}
        )
        card = self.env["loyalty.card"].sudo().create({"program_id": program.id, "partner_id": self.members[0].id})
        self._backdate(card, "2025-06-10 09:00")
        Report = self.env["loyalty.member.monthly.report"].with_context(allowed_company_ids=[self.company.id, other.id])
        there = Report.search([("partner_id", "=", self.members[0].id), ("company_id", "=", other.id)])
        self.assertEqual(min(there.mapped("month")), date(2025, 6, 1))
        self.assertEqual(set(there.mapped("active_member_count")), {0}, "nothing bought there")
        self.assertEqual(sum(there.mapped("new_member_count")), 1)
        mine = self.env["loyalty.member.monthly.report"].with_user(self.tier_user).search([])
        self.assertEqual(mine.company_id, self.company, "a loyalty user of this company sees only its members")

    def test_a_member_counts_until_their_last_card_is_closed(self):
        leaver = self.env["res.partner"].create({"name": "Monthly Leaver"})
        wallet = self._create_card(leaver, state="active")
        self._backdate(wallet, "2025-01-05 09:00")
        card = self._member(leaver)
        self._backdate(card, "2025-02-01 09:00")
        wallet.sudo()._close("Moved away")
        self._backdate(wallet, "2025-03-15 09:00", "write_date")
        Report = self.env["loyalty.member.monthly.report"].with_user(self.tier_user)
        months = Report.search([("partner_id", "=", leaver.id)]).mapped("month")
        self.assertEqual(max(months), date.today().replace(day=1), "the loyalty card is still open")
        card.sudo().active = False
        self._backdate(card, "2025-04-20 09:00", "write_date")
        months = Report.search([("partner_id", "=", leaver.id)]).mapped("month")
        self.assertEqual(
            sorted(months),
            [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)],
            "a member until the month the last card closed, and still counted in those months",
        )

    def test_months_are_those_of_the_company_s_time_zone(self):
        self.company.partner_id.tz = "Asia/Shanghai"
        night_owl = self.env["res.partner"].create({"name": "Monthly Night Owl"})
        self._backdate(self._member(night_owl), "2025-01-31 20:00")  # 04:00 on 1 February in Shanghai
        order = self._pos_purchase(night_owl, self.huaihai, "2025-02-28")
        self._backdate(order, "2025-02-28 17:30", "date_order")  # 01:30 on 1 March there
        rows = (
            self.env["loyalty.member.monthly.report"]
            .with_user(self.tier_user)
            .search([("partner_id", "=", night_owl.id)])
        )
        self.assertEqual(min(rows.mapped("month")), date(2025, 2, 1), "joined on 1 February, Shanghai time")
        active = rows.filtered("active_member_count").mapped("month")
        self.assertEqual(active, [date(2025, 3, 1)], "bought on 1 March, Shanghai time")
        cohort = (
            self.env["loyalty.member.cohort.report"]
            .with_user(self.tier_user)
            .search([("partner_id", "=", night_owl.id)])
        )
        self.assertEqual(set(cohort.mapped("cohort_month")), {date(2025, 3, 1)})
