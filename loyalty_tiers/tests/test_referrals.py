from uuid import uuid4

from odoo import http
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestReferrals(LoyaltyTiersPosCommon):
    """老带新: a member's code opens a new member at the counter; their first top-up or purchase of 200 or
    more gives the member 500 points and the new customer 50 of bonus credit, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.cn")
        cls.program.write(
            {
                "referral_enabled": True,
                "referral_trigger": "either",
                "referral_threshold": 200,
                "referral_referrer_reward": "points",
                "referral_referrer_amount": 500,
                "referral_referred_reward": "credit",
                "referral_referred_amount": 50,
            }
        )
        cls.holder.phone = "+8613900000001"
        cls.referrer_card = cls._member(cls.holder)
        cls.code = cls.referrer_card.referral_code

    def open_member(self, phone="13800138001", partner=None, **values):
        member = {"name": "Zhou Min", "phone": phone, **values}
        return (
            self.env["res.partner"]
            .with_user(self.pos_cashier)
            .pos_open_member(self.config.id, member, str(uuid4()), partner_id=partner and partner.id)
        )

    def referrals(self):
        return self.env["loyalty.referral"].search([])

    def top_up_at_counter(self, card, amount, uuid=None):
        data = self.card_order([self.top_up_line(amount, card)], [(self.cash_method, amount)], card=card, uuid=uuid)
        return self.sync(data, user=self.pos_cashier)

    def test_every_member_has_a_code_shown_with_its_sign_up_link(self):
        self.assertRegex(self.code, r"^[0-9A-F]{10}$")
        self.assertNotEqual(self._member(self.other_holder).referral_code, self.code)
        self.assertEqual(self.holder.loyalty_referral_code, self.code)
        self.assertIn(f"/web/signup?referral={self.code}", self.holder.loyalty_referral_url)
        with self.assertRaises(AccessError):
            self.referrer_card.with_user(self.tier_manager).write({"referral_code": "CHOSEN1234"})

    def test_a_referral_rewards_both_sides_once_at_the_first_qualifying_top_up(self):
        result = self.open_member(referral_code=self.code.lower())
        referral = self.referrals()
        self.assertRecordValues(
            referral,
            [
                {
                    "referrer_partner_id": self.holder.id,
                    "referred_partner_id": result["partner_id"],
                    "source": "pos",
                    "state": "pending",
                }
            ],
        )
        card = self.env["stored.value.card"].browse(result["card_id"])
        new_code = result["records"]["res.partner"][0]["loyalty_referral_code"]
        self.assertTrue(new_code and new_code != self.code, "the new member brings friends from the first receipt")
        uuid = str(uuid4())
        order = self.top_up_at_counter(card, 300, uuid=uuid)
        self.assertEqual(self.referrer_card.points, 500, "the member who brought the customer earns 500 points")
        self.assertEqual((card.principal_balance, card.bonus_balance), (300, 50), "the new member gets 50 of credit")
        self.assertRecordValues(
            referral,
            [{"state": "rewarded", "reward_points": 500, "reward_credit": 50, "reward_cost": 50}],
        )
        self.assertEqual(referral.reward_document, card.ledger_ids.filtered(lambda e: e.entry_type == "topup"))
        # A loyalty manager without stored-value rights reads the report, the top-up by its name.
        manager = self._create_sv_user(
            "referral_manager", "Referral Manager", ["loyalty_tiers.group_loyalty_tier_manager"], []
        )
        report = referral.with_user(manager)
        self.assertEqual(report.reward_document_name, referral.reward_document.display_name)
        self.assertEqual((report.referrer_partner_id.name, report.reward_cost), ("Li Na", 50))
        # The same order synced again, a second top-up and a purchase give nothing more.
        self.top_up_at_counter(card, 300, uuid=uuid)
        self.top_up_at_counter(card, 500)
        self.sync(self.member_order(5, customer=card.partner_id), user=self.pos_cashier)
        self.assertEqual(self.referrer_card.points, 500)
        self.assertEqual(card.bonus_balance, 50)
        self.assertEqual(len(self.referrals()), 1)
        self.assertAlmostEqual(referral.referred_spend, 300, msg="the haircuts count as spend, not the top-ups")
        self.assertPointsAgree(self.referrer_card)
        self.assertLedgerAgrees(card)
        self.assertTrue(order)

    def test_both_sides_are_told_their_reward_by_their_consented_channels(self):
        self.holder.email = "li.na@example.com"
        self.holder._stored_value_set_consent({"email": True}, "backoffice")
        result = self.open_member(email="zhou.min@example.com", referral_code=self.code, consent={"email": True})
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.top_up_at_counter(card, 300)
        self.top_up_at_counter(card, 300)
        Message = self.env["stored.value.message"]
        told = Message.search([("message_type", "=", "referral_reward")])
        self.assertEqual(told.partner_id, self.holder | card.partner_id, "each side once")
        mail = self.env["mail.mail"].search(
            [("subject", "=", "Your referral reward"), ("recipient_ids", "in", self.holder.ids)]
        )
        self.assertIn("Zhou Min joined with your referral code", mail.body_html)
        self.assertIn("500 Points", mail.body_html, "in the programme's own name of its points")

    def test_a_first_top_up_below_the_threshold_gives_nothing(self):
        result = self.open_member(referral_code=self.code)
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.top_up_at_counter(card, 199)
        self.assertEqual((self.referrer_card.points, card.bonus_balance), (0, 0))
        self.assertEqual(self.referrals().state, "pending", "a qualifying top-up or purchase may still come")

    def test_a_first_purchase_can_reward_with_coupons(self):
        coupons = self.env["loyalty.program"].create(
            {"name": "Referral Coupons", "program_type": "coupons", "company_id": self.company.id}
        )
        self.program.write(
            {
                "referral_trigger": "purchase",
                "referral_referrer_reward": "coupon",
                "referral_referrer_amount": 0,
                "referral_referrer_coupon_program_id": coupons.id,
            }
        )
        result = self.open_member(referral_code=self.code)
        member = self.env["res.partner"].browse(result["partner_id"])
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.top_up_at_counter(card, 500)
        self.assertEqual(self.referrals().state, "pending", "this programme rewards purchases, not top-ups")
        self.sync(self.member_order(4, customer=member), user=self.pos_cashier)
        referral = self.referrals()
        self.assertEqual(referral.state, "rewarded")
        self.assertEqual(referral.referrer_coupon_id.partner_id, self.holder)
        self.assertEqual(referral.referrer_coupon_id.program_id, coupons)
        self.assertEqual(card.bonus_balance, 50)

    def test_an_invoiced_first_purchase_rewards(self):
        member = self.env["res.partner"].browse(self.open_member(referral_code=self.code)["partner_id"])
        member.property_account_receivable_id = self.receivable_account
        self.make_invoice(150, partner=member)
        self.assertEqual(self.referrals().state, "pending", "150 does not reach the qualifying 200")
        invoice = self.make_invoice(250, partner=member)
        self.assertEqual((self.referrals().state, self.referrals().reward_document), ("rewarded", invoice))
        self.assertEqual(self.referrer_card.points, 500)

    def test_a_reward_that_cannot_be_given_keeps_the_top_up(self):
        coupons = self.env["loyalty.program"].create(
            {"name": "Referral Coupons", "program_type": "coupons", "company_id": self.company.id}
        )
        self.program.write({"referral_referrer_reward": "coupon", "referral_referrer_coupon_program_id": coupons.id})
        result = self.open_member(referral_code=self.code)
        card = self.env["stored.value.card"].browse(result["card_id"])
        coupons.active = False
        self.top_up_at_counter(card, 300)
        self.assertEqual(card.principal_balance, 300, "the top-up is booked")
        self.assertEqual(card.bonus_balance, 0, "no side is rewarded without the other")
        referral = self.referrals()
        self.assertEqual(referral.state, "pending")
        self.assertIn("Referral Coupons", referral.reward_problem)
        coupons.active = True
        self.top_up_at_counter(card, 300)
        self.assertRecordValues(referral, [{"state": "rewarded", "reward_problem": False}])
        self.assertEqual(card.bonus_balance, 50)

    def test_the_statement_shows_the_members_referral_code(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stored_value_crm.report_stored_value_statement", self.card.ids)[0]
            .decode()
        )
        self.assertIn(self.code, html)
        self.assertIn("barcode_type=QR", html)

    def test_a_self_referral_is_refused(self):
        with self.assertRefused("own referral code"):
            self.open_member(phone="13900000001", partner=self.holder, referral_code=self.code)
        self.assertFalse(self.referrals())

    def test_an_existing_customer_is_refused(self):
        self.other_holder.phone = "+8613900000002"
        self.make_invoice(80, partner=self.other_holder)
        with self.assertRefused("already a customer"):
            self.open_member(phone="13900000002", partner=self.other_holder, referral_code=self.code)
        self.assertFalse(self.referrals())
        self.assertFalse(self.other_holder.stored_value_card_ids, "the member card was not opened either")

    def test_a_known_customer_opened_as_a_new_contact_is_refused(self):
        self.other_holder.email = "wang.wei@example.com"
        self.make_invoice(80, partner=self.other_holder)
        with self.assertRefused("already a customer"):
            self.open_member(phone="13800138005", email="Wang.Wei@example.com", referral_code=self.code)

    def test_a_circular_referral_is_refused(self):
        brought = self.env["res.partner"].browse(self.open_member(referral_code=self.code)["partner_id"])
        brought_code = self._member(brought).referral_code
        with self.assertRefused("cannot refer them back"):
            self.open_member(phone="13900000001", partner=self.holder, referral_code=brought_code)
        # Nor further up the chain: whoever the brought customer brings cannot bring the first member either.
        third = self.env["res.partner"].browse(
            self.open_member(phone="13800138009", referral_code=brought_code)["partner_id"]
        )
        with self.assertRefused("cannot refer them back"):
            self.open_member(phone="13900000001", partner=self.holder, referral_code=self._member(third).referral_code)
        self.assertEqual(len(self.referrals()), 2)

    def test_an_unknown_code_is_refused(self):
        with self.assertRefused("not known"):
            self.open_member(referral_code="NOSUCHCODE")
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+8613800138001")]))
        with self.assertRefused("not a referral code"):
            self.open_member(referral_code=12345)

    def test_a_cashier_cannot_write_referrals(self):
        self.open_member(referral_code=self.code)
        referral = self.referrals()
        Referral = self.env["loyalty.referral"]
        values = {
            "referred_partner_id": self.other_holder.id,
            "referrer_partner_id": self.holder.id,
            "company_id": self.company.id,
            "source": "pos",
            "state": "rewarded",
        }
        for user in (self.pos_cashier, self.tier_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Referral.with_user(user).create(values)
                with self.assertRaises(AccessError):
                    referral.with_user(user).write({"state": "pending", "referrer_partner_id": user.partner_id.id})
                with self.assertRaises(AccessError):
                    referral.with_user(user).unlink()
        with self.assertRaises(AccessError):
            referral.with_user(self.pos_cashier).read(["state"])
        self.assertEqual(referral.with_user(self.tier_manager).state, "pending", "managers read the report")

    def test_an_offline_order_with_a_bad_code_still_opens_its_member(self):
        data = self.member_order(2, uuid=str(uuid4()))
        data["partner_id"] = False
        data["stored_value_new_member"] = {"name": "Offline Member", "phone": "13700001234", "referral_code": "BAD"}
        order = self.sync(data, user=self.pos_cashier)
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.partner_id.name, "Offline Member")
        self.assertTrue(order.partner_id.stored_value_card_ids, "the member's card is opened")
        self.assertRecordValues(
            self.referrals(),
            [{"referred_partner_id": order.partner_id.id, "state": "refused", "refusal_reason": "unknown_code"}],
        )

    def test_an_offline_order_with_a_good_code_refers_its_member(self):
        data = self.member_order(4, uuid=str(uuid4()))
        data["partner_id"] = False
        data["stored_value_new_member"] = {"name": "Offline Member", "phone": "13700001235", "referral_code": self.code}
        order = self.sync(data, user=self.pos_cashier)
        self.assertRecordValues(self.referrals(), [{"referred_partner_id": order.partner_id.id, "state": "rewarded"}])
        self.assertEqual(self.referrer_card.points, 500, "the order that opened the member is its first purchase")


@tagged("post_install", "-at_install")
class TestReferralPortalSignup(HttpCase):
    """A new customer signs up on the portal with the link of a member's referral QR code."""

    def test_signing_up_with_a_referral_link_records_the_referral(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        program = self.env["loyalty.program"].create(
            {
                "name": "Friends",
                "program_type": "loyalty",
                "company_id": self.env.company.id,
                "referral_enabled": True,
                "referral_threshold": 100,
                "referral_referrer_amount": 100,
                "referral_referred_amount": 50,
            }
        )
        referrer = self.env["res.partner"].create({"name": "Old Member"})
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": referrer.id})
        self.authenticate(None, None)
        page = self.url_open(f"/web/signup?referral={card.referral_code}")
        self.assertIn(card.referral_code, page.text, "the form says which code the customer came with")
        payload = {
            "login": "newfriend@example.com",
            "name": "New Friend",
            "password": "a-long-password-1",
            "confirm_password": "a-long-password-1",
            "csrf_token": http.Request.csrf_token(self),
        }
        self.url_open("/web/signup", data=payload)
        user = self.env["res.users"].search([("login", "=", "newfriend@example.com")])
        self.assertTrue(user, "the account is created")
        referral = self.env["loyalty.referral"].search([("referred_partner_id", "=", user.partner_id.id)])
        self.assertRecordValues(
            referral,
            [{"referrer_partner_id": referrer.id, "source": "portal", "state": "pending", "program_id": program.id}],
        )

    def test_an_existing_customer_signing_up_again_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        program = self.env["loyalty.program"].create(
            {
                "name": "Friends",
                "program_type": "loyalty",
                "company_id": self.env.company.id,
                "referral_enabled": True,
                "referral_referrer_amount": 100,
                "referral_referred_amount": 50,
            }
        )
        referrer = self.env["res.partner"].create({"name": "Old Member"})
        code = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": referrer.id}).referral_code
        known = self.env["res.partner"].create({"name": "Known Customer", "email": "Known@Example.com"})
        self.env["loyalty.card"].create({"program_id": program.id, "partner_id": known.id})
        self.authenticate(None, None)
        self.url_open(f"/web/signup?referral={code}")
        payload = {
            "login": "known@example.com",
            "name": "Known Customer",
            "password": "a-long-password-1",
            "confirm_password": "a-long-password-1",
            "csrf_token": http.Request.csrf_token(self),
        }
        self.url_open("/web/signup", data=payload)
        user = self.env["res.users"].search([("login", "=", "known@example.com")])
        self.assertTrue(user, "the account is created")
        self.assertNotEqual(user.partner_id, known, "the sign-up made a new contact for a known customer")
        self.assertRecordValues(
            self.env["loyalty.referral"].search([("referred_partner_id", "=", user.partner_id.id)]),
            [{"state": "refused", "refusal_reason": "existing_customer", "source": "portal"}],
        )

    def test_an_unknown_code_is_said_on_the_sign_up_form(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        self.authenticate(None, None)
        page = self.url_open("/web/signup?referral=NOSUCHCODE")
        self.assertIn("o_loyalty_referral_problem", page.text)
        self.assertIn("NOSUCHCODE", page.text)

    def test_a_member_sees_their_referral_code_on_the_portal(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "Friends",
                "program_type": "loyalty",
                "company_id": self.env.company.id,
                "referral_enabled": True,
                "referral_referrer_amount": 100,
                "referral_referred_amount": 50,
            }
        )
        user = self.env["res.users"].create(
            {
                "name": "Portal Member",
                "login": "portal_member",
                "password": "portal_member_pw",
                "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": user.partner_id.id})
        self.env["loyalty.tier"].create({"name": "Friend", "program_id": program.id})
        self.authenticate("portal_member", "portal_member_pw")
        page = self.url_open("/my/loyalty")
        self.assertIn(card.referral_code, page.text)
        self.assertIn("barcode_type=QR", page.text)
