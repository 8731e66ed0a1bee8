from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestTierAccess(LoyaltyTiersCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "li.na.member", "li.na.member", name="Li Na", partner_id=cls.holder.id
        )

    def test_cashier_reads_tiers_but_cannot_configure_them_or_touch_the_history(self):
        Tier = self.env["loyalty.tier"].with_user(self.tier_user)
        self.assertEqual(Tier.search([("program_id", "=", self.program.id)]), self.regular | self.silver | self.gold)
        with self.assertRaises(AccessError):
            Tier.create({"name": "Platinum", "program_id": self.program.id, "sequence": 90, "min_spend": 90000})
        card = self._member()
        card._update_tiers()
        history = card.tier_history_ids.with_user(self.tier_user)
        self.assertEqual(history.new_tier_id, self.regular)
        with self.assertRaises(AccessError):
            history.sudo().write({"reason": "edited"})
        with self.assertRaises(UserError):
            history.sudo().unlink()

    def test_nobody_gives_a_contact_a_tier_or_a_segment_by_hand(self):
        """The contact's tier gives its pricelist at the till: a clerk who edits contacts, or a manager,
        writing it (or the value segment) on the contact over RPC is refused; the tier comes from the cards."""
        self._member()._update_tiers()
        clerk = self._create_sv_user("contact_clerk", "Contact Clerk", ["base.group_partner_manager"], [])
        for user in (clerk, self.tier_manager):
            partner = self.holder.with_user(user)
            partner.write({"comment": f"Called by {user.name}"})  # they may edit the contact itself
            for values in ({"loyalty_tier_id": self.gold.id}, {"rfm_segment": "champions"}):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    partner.write(values)
        self.assertEqual(self.holder.loyalty_tier_id, self.regular)

    def test_a_new_manager_sets_up_three_tiers_and_watches_a_member_move_up(self):
        program = (
            self.env["loyalty.program"]
            .with_user(self.tier_manager)
            .create({"name": "Salon Club", "program_type": "loyalty", "company_id": self.company.id})
        )
        Tier = self.env["loyalty.tier"].with_user(self.tier_manager)
        tiers = Tier.create(
            [
                {"name": "普通", "program_id": program.id, "sequence": 1},
                {"name": "银卡", "program_id": program.id, "sequence": 2, "min_spend": 500},
                {"name": "金卡", "program_id": program.id, "sequence": 3, "min_spend": 2000},
            ]
        )
        member = self.env["res.partner"].create({"name": "Chen Jing"})
        card = (
            self.env["loyalty.card"]
            .with_user(self.tier_manager)
            .create({"program_id": program.id, "partner_id": member.id})
        )
        self.make_invoice(800, partner=member)
        card._update_tiers()
        self.assertEqual(card.with_user(self.tier_manager).tier_id.name, "银卡")
        self.make_invoice(1500, partner=member)
        card._update_tiers()
        self.assertEqual(member.with_user(self.tier_manager).loyalty_tier_id, tiers[2])
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
        self.assertTrue(member.with_user(self.tier_manager).rfm_segment)

    def test_pos_loads_the_member_fields(self):
        config = self.env["pos.config"].sudo().create({"name": "Desk", "company_id": self.company.id})
        fields = self.env["res.partner"]._load_pos_data_fields(config)
        for name in ("loyalty_tier_id", "loyalty_points", "loyalty_points_expiring", "loyalty_tier_progress"):
            self.assertIn(name, fields)
        self.assertIn("loyalty.tier", self.env["pos.session"]._load_pos_data_models(config))

    def test_portal_member_sees_tier_points_and_progress(self):
        card = self._member(points=80)
        self.spend(1200)
        card._update_tiers()
        self.authenticate("li.na.member", "li.na.member")
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Silver", page.text)
        self.assertIn("80", page.text)
        self.assertIn("Gold", page.text, "the next tier and the progress towards it")
        self.assertIn("24.0", page.text)
        with self.assertRaises(AccessError):
            card.with_user(self.portal_user).read(["points"])
