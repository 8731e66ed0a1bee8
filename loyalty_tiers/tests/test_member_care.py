from datetime import date

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberCare(LoyaltyTiersCommon):
    """Birthday care and tier welcomes: each gift once, each member told by their consented channels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coupons = cls.env["loyalty.program"].create(
            {
                "name": "Birthday Cake",
                "program_type": "coupons",
                "company_id": cls.company.id,
                "reward_ids": [Command.clear(), Command.create({"reward_type": "discount", "discount": 100})],
            }
        )
        cls.holder.write({"email": "li.na@example.com", "loyalty_birthday": date(1990, 3, 20)})
        cls.holder._stored_value_set_consent({"email": True}, "backoffice")
        cls.gold.write({"birthday_coupon_program_id": cls.coupons.id, "birthday_bonus": 50, "birthday_care_call": True})
        cls.wallet = cls._create_card(state="active")
        cls.salesperson = cls._create_sv_user("care_seller", "Seller", ["stored_value_crm.group_stored_value_user"], [])
        cls.holder.user_id = cls.salesperson

    def greetings(self, message_type="birthday"):
        return self.env["stored.value.message"].search(
            [("partner_id", "=", self.holder.id), ("message_type", "=", message_type)]
        )

    def birthday_run(self, day):
        with freeze_time(day), self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_birthday_rewards()

    def test_a_birthday_run_twice_in_a_month_cares_once_whatever_edits_the_birthday(self):
        card = self._member()
        self.spend(6000)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.gold)
        points = card.points
        self.birthday_run("2026-03-01")
        self.birthday_run("2026-03-01")
        self.birthday_run("2026-03-15")
        self.assertEqual(len(self.greetings()), 1, "one greeting in the month")
        self.assertEqual(card.points, points + 300, "Gold's birthday points, once")
        coupon = self.env["loyalty.card"].search([("program_id", "=", self.coupons.id)])
        self.assertEqual((len(coupon), coupon.partner_id), (1, self.holder))
        self.assertEqual(self.wallet.bonus_balance, 50, "the birthday bonus on the stored-value card, once")
        mail = self.env["mail.mail"].search(
            [("model", "=", "loyalty.card"), ("res_id", "=", card.id), ("subject", "ilike", "birthday")]
        )
        self.assertIn(coupon.code, mail.body_html, "the greeting gives the coupon's code")
        call = self.holder.activity_ids.filtered(lambda activity: "Birthday care" in (activity.summary or ""))
        self.assertEqual(call.user_id, self.salesperson, "专属关怀: Gold members' salesperson calls them")
        self.holder.sudo().loyalty_birthday = date(1990, 4, 10)  # edited after the care
        self.birthday_run("2026-04-12")
        self.assertEqual(len(self.greetings()), 1, "once a year, whatever edits the birthday gets")
        self.birthday_run("2027-04-01")
        self.assertEqual(len(self.greetings()), 2, "next year's birthday is cared for again")

    def test_care_starts_days_before_the_birthday_across_the_new_year(self):
        self.program.birthday_days_before = 7
        self.holder.loyalty_birthday = date(1990, 1, 3)
        card = self._member()
        self.birthday_run("2026-12-26")
        self.assertFalse(self.greetings())
        self.birthday_run("2026-12-27")
        self.assertEqual(card.birthday_care_year, 2027)
        self.birthday_run("2027-01-02")
        self.assertEqual(len(self.greetings()), 1)

    def test_a_tier_upgrade_gives_its_welcome_gift_and_message_once(self):
        self.silver.write({"welcome_points": 100, "welcome_coupon_program_id": self.coupons.id})
        card = self._member()
        self.spend(1200)
        card._update_tiers()
        card._update_tiers()
        self.assertEqual(card.tier_id, self.silver)
        self.assertEqual(len(self.greetings("tier_upgrade")), 1)
        coupon = self.env["loyalty.card"].search([("program_id", "=", self.coupons.id)])
        self.assertEqual(len(coupon), 1)
        self.assertEqual(card.points, 100, "the welcome points (the purchase was invoiced, not at the POS)")
        mail = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertIn("Silver", mail.subject)
        self.assertIn(coupon.code, mail.body_html)

    def test_a_member_about_to_lose_their_tier_is_told_what_they_need_once(self):
        card = self._member()
        invoice = self.spend(5200)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.gold)
        self.make_invoice(5000, move_type="out_refund")  # the purchase came back
        self.program.tier_warning_days = 120
        with self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_warn_tier_downgrades()
            self.env["loyalty.card"]._cron_warn_tier_downgrades()
        self.assertEqual(len(self.greetings("tier_at_risk")), 1)
        mail = self.env["mail.mail"].search(
            [("model", "=", "loyalty.card"), ("res_id", "=", card.id), ("subject", "ilike", "Keep")]
        )
        self.assertIn("4,800.00", mail.body_html, "Gold needs 5,000 spent: 4,800 more")
        self.assertTrue(invoice)
