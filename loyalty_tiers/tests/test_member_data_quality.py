import json
from datetime import date, timedelta

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberDataQuality(LoyaltyTiersCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A Chinese shop: phone numbers are read as Chinese ones unless the contact says otherwise.
        cls.company.country_id = cls.env.ref("base.cn")
        cls.merger = cls._create_sv_user(
            "dq_merger",
            "Member Data Manager",
            [
                "base.group_partner_manager",
                "loyalty_tiers.group_loyalty_tier_manager",
                "stored_value_crm.group_stored_value_manager",
            ],
            [],
        )
        cls.contacts_manager = cls._create_sv_user(
            "dq_contacts", "Contacts Manager", ["base.group_partner_manager"], []
        )
        cls.portal_user = cls._create_portal_user("li.na.dq", "li.na.dq", name="Li Na", partner_id=cls.holder.id)
        cls._member(cls.holder)

    def new_contact(self, name, member=True, **values):
        partner = self.env["res.partner"].create({"name": name, "company_id": False, **values})
        if member:
            self._member(partner)
        return partner

    def issues(self, flag):
        return self.env["res.partner"].search([("is_loyalty_member", "=", True), (flag, "=", True)])

    def test_flags_name_each_missing_or_invalid_datum(self):
        complete = self.new_contact("Zhou Min", phone="138 0013 8001", email="zhou.min@example.com")
        complete.loyalty_birthday = date(1988, 3, 4)
        broken = self.new_contact("Sun Li", phone="12345", email="sun.li(at)example.com")
        empty = self.new_contact("Guo Fang")
        outsider = self.new_contact("Not A Member", member=False)
        self.assertTrue(complete.is_loyalty_member)
        self.assertFalse(outsider.is_loyalty_member)
        self.assertFalse(complete.member_data_issues)
        self.assertEqual(complete.phone_sanitized, "+8613800138001")
        self.assertTrue(broken.member_data_invalid_phone)
        self.assertTrue(broken.member_data_invalid_email)
        self.assertFalse(broken.member_data_missing_phone)
        self.assertTrue(empty.member_data_missing_phone)
        self.assertTrue(empty.member_data_missing_birthday)
        self.assertFalse(empty.member_data_invalid_phone)
        self.assertIn("Invalid phone", broken.member_data_issues)
        self.assertIn(broken, self.issues("member_data_invalid_phone"))
        self.assertIn(broken, self.issues("member_data_invalid_email"))
        self.assertNotIn(complete, self.issues("member_data_invalid_phone"))
        self.assertIn(empty, self.issues("member_data_missing_phone"))
        self.assertNotIn(broken, self.issues("member_data_missing_phone"))
        self.assertIn(empty, self.issues("member_data_missing_birthday"))
        self.assertNotIn(complete, self.issues("member_data_missing_birthday"))
        members = self.env["res.partner"].search([("is_loyalty_member", "=", True)])
        self.assertIn(self.holder, members)
        self.assertNotIn(outsider, members)
        self.assertIn(outsider, self.env["res.partner"].search([("is_loyalty_member", "=", False)]))
        # A stored-value card makes a member too, until it is closed.
        wallet_holder = self.new_contact("Wallet Only", member=False)
        self._create_card(wallet_holder, state="active")
        self.assertTrue(wallet_holder.is_loyalty_member)

    def test_duplicates_by_phone_in_any_format_email_case_and_name_with_birthday(self):
        by_phone = self.new_contact("Zhang San", phone="138 0013 8000")
        same_phone = self.new_contact("San Zhang", member=False, phone="+86 13800138000")
        by_email = self.new_contact("Wang Fang", email="Wang.Fang@Example.com")
        same_email = self.new_contact("Fang Wang", member=False, email="wang.fang@example.com")
        by_name = self.new_contact("Chen Jing")
        by_name.loyalty_birthday = date(1990, 5, 1)
        same_name = self.new_contact("chen jing ", member=False)
        same_name.loyalty_birthday = date(1990, 5, 1)
        # Not duplicates: same name on another birthday, an archived contact, a contact of another company.
        other_birthday = self.new_contact("Chen Jing", member=False)
        other_birthday.loyalty_birthday = date(1991, 5, 1)
        self.new_contact("Archived", member=False, phone="13800138000", active=False)
        elsewhere = self.env["res.company"].create(
            {"name": "Elsewhere Salon", "country_id": self.company.country_id.id}
        )
        self.env["res.partner"].sudo().create({"name": "Elsewhere", "phone": "13800138000", "company_id": elsewhere.id})
        self.assertEqual(by_phone.member_data_duplicate_ids, same_phone)
        self.assertEqual(by_email.member_data_duplicate_ids, same_email)
        self.assertEqual(by_name.member_data_duplicate_ids, same_name)
        self.assertTrue(by_phone.member_data_has_duplicate)
        self.assertIn("Likely duplicate", by_phone.member_data_issues)
        found = self.issues("member_data_has_duplicate")
        self.assertEqual(found & (by_phone | by_email | by_name | same_phone), by_phone | by_email | by_name)
        self.assertNotIn(self.holder, found)
        action = by_phone.action_merge_member_duplicates()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        self.assertEqual(sorted(action["context"]["active_ids"]), sorted((by_phone | same_phone).ids))
        with self.assertRaises(UserError):
            self.holder.action_merge_member_duplicates()

    def test_duplicates_are_found_in_one_query(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Member {n}", "phone": f"139 0000 {n:04d}", "company_id": False} for n in range(30)]
        )
        for partner in partners:
            self._member(partner)
        partners.invalidate_recordset()
        with self.assertQueryCount(12):
            partners.mapped("member_data_issues")

    def merge(self, partners, keep, user=None):
        action = partners[:1].with_user(user or self.merger).action_merge_member_duplicates()
        Wizard = self.env[action["res_model"]].with_user(user or self.merger).with_context(**action["context"])
        wizard = Wizard.create({})
        self.assertEqual(wizard.partner_ids, partners)
        wizard.dst_partner_id = keep
        return wizard.action_merge()

    def test_merge_keeps_both_members_cards_ledgers_and_points(self):
        kept = self.new_contact("Liu Yang", member=False, email="liu.yang@example.com", phone="138 0013 8002")
        gone = self.new_contact("Liu Yang", member=False, email="liu.yang@example.com")
        kept.loyalty_birthday = date(1985, 7, 8)
        wallets = self._create_card(kept, state="active") | self._create_card(gone, state="active")
        self.top_up(wallets[0], 300)
        self.top_up(wallets[1], 120)
        self.pay_with_card(self.make_invoice(50, partner=gone), wallets[1])
        balances = [(wallet.principal_balance, wallet.bonus_balance, wallet.balance) for wallet in wallets]
        ledger = wallets.ledger_ids
        self.assertEqual(ledger.partner_id, kept | gone)
        cards = self._member(kept, points=120) | self._member(gone, points=80)
        cards[1]._earn_points(40, "test/dq/earn", "Welcome")
        batches = self.env["loyalty.point.batch"].search([("card_id", "in", cards.ids)])
        self.assertEqual(batches.partner_id, kept | gone)
        expiry = {batch: (batch.expiry_date, batch.remaining) for batch in batches}
        self.assertEqual(gone.member_data_duplicate_ids, kept)
        # Odoo's contact rights alone do not move members' cards to another holder.
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.partner.merge"):
            self.merge(gone | kept, kept, user=self.contacts_manager)
        with mute_logger("odoo.addons.base.partner.merge"):
            self.merge(gone | kept, kept)
        self.assertFalse(gone.exists())
        self.env.invalidate_all()
        self.assertEqual(wallets.partner_id, kept)
        self.assertEqual(ledger.partner_id, kept)
        self.assertEqual(len(kept.stored_value_card_ids), 2)
        self.assertEqual([(w.principal_balance, w.bonus_balance, w.balance) for w in wallets], balances)
        # As Odoo merges loyalty cards, one card of the programme holds all the points, in the batches they
        # were earned in, expiring when they did; the other card stays, empty and archived, on the kept contact.
        cards = cards.with_context(active_test=False)
        self.assertEqual(cards.partner_id, kept)
        self.assertEqual(cards.mapped("points"), [240.0, 0.0])
        self.assertEqual(cards.mapped("active"), [True, False])
        self.assertEqual(batches.exists(), batches)
        self.assertEqual(batches.card_id, cards[0])
        self.assertEqual(batches.partner_id, kept)
        self.assertEqual({batch: (batch.expiry_date, batch.remaining) for batch in batches}, expiry)
        self.assertIn("contacts merged", " ".join(cards[0].history_ids.mapped("description")))
        self.assertEqual(kept.loyalty_birthday, date(1985, 7, 8))
        self.assertEqual(kept.loyalty_tier_id, cards.tier_id.sorted("sequence")[-1:])
        self.assertLedgerAgrees()
        for card in cards:
            held = sum(self.batches(card).filtered(lambda batch: batch.state == "open").mapped("remaining"))
            self.assertAlmostEqual(held, card.points, places=2)

    def test_merge_onto_a_contact_who_is_not_yet_a_member(self):
        kept = self.new_contact("Ma Lin", member=False, email="ma.lin@example.com")
        gone = self.new_contact("Ma Lin", member=False, email="ma.lin@example.com")
        gone.loyalty_birthday = date(1979, 11, 2)
        card = self._member(gone, points=75)
        wallet = self._create_card(gone, state="active")
        self.top_up(wallet, 200)
        with mute_logger("odoo.addons.base.partner.merge"):
            self.merge(gone | kept, kept)
        self.env.invalidate_all()
        self.assertEqual(card.partner_id | wallet.partner_id, kept)
        self.assertEqual(card.points, 75)
        self.assertEqual(self.batches(card).partner_id, kept)
        self.assertEqual(kept.loyalty_birthday, date(1979, 11, 2))
        self.assertEqual(kept.loyalty_birthday_changed_date, self.today)
        self.assertEqual(kept.loyalty_tier_id, card.tier_id)
        self.assertLedgerAgrees()

    def test_birthday_moves_once_a_year_in_the_back_office(self):
        member = self.new_contact("Huang Lei")
        clerk_view = member.with_user(self.contacts_manager)
        clerk_view.loyalty_birthday = date(1992, 1, 10)  # first setting: free
        self.assertEqual(member.loyalty_birthday_changed_date, self.today)
        with self.assertRaisesRegex(UserError, "can be changed again"):
            clerk_view.loyalty_birthday = date(1992, 2, 10)
        with self.assertRaises(AccessError):
            clerk_view.loyalty_birthday_changed_date = self.today - timedelta(days=400)
        # A loyalty manager corrects it at any time; the change is dated.
        member.with_user(self.tier_manager).loyalty_birthday = date(1992, 2, 10)
        self.assertEqual(member.loyalty_birthday, date(1992, 2, 10))
        member.sudo().loyalty_birthday_changed_date = self.today - timedelta(days=366)
        clerk_view.loyalty_birthday = date(1992, 3, 10)
        self.assertEqual(member.loyalty_birthday_changed_date, self.today)

    def submit_details(self, **values):
        data = {
            "partner_id": self.holder.id,
            "name": "Li Na",
            "email": "li.na@example.com",
            "phone": "138 0013 8009",
            "street": "1 Nanjing Road",
            "city": "Shanghai",
            "zip": "200000",
            "country_id": self.env.ref("base.cn").id,
            "state_id": self.env.ref("base.state_cn_SH").id,
            "address_type": "billing",
            "use_delivery_as_billing": "true",
            "callback": "/my",
            "csrf_token": http.Request.csrf_token(self),
            **values,
        }
        response = self.url_open("/my/address/submit", data=data)
        self.assertEqual(response.status_code, 200)
        self.holder.invalidate_recordset()
        return json.loads(response.text)

    def test_portal_member_confirms_details_and_moves_birthday_once_a_year(self):
        self.authenticate("li.na.dq", "li.na.dq")
        home = self.url_open("/my")
        self.assertIn("loyalty_data_reminder", home.text)
        account = self.url_open("/my/account")
        self.assertIn('name="loyalty_birthday"', account.text)
        feedback = self.submit_details(loyalty_birthday="1990-05-01")
        self.assertEqual(feedback.get("redirectUrl"), "/my", feedback)
        self.assertEqual(self.holder.loyalty_birthday, date(1990, 5, 1))
        self.assertEqual(self.holder.loyalty_birthday_changed_date, self.today)
        self.assertEqual(self.holder.phone_sanitized, "+8613800138009")
        self.assertNotIn("loyalty_data_reminder", self.url_open("/my").text)
        # Moved again within the year: refused with the reason, nothing saved.
        feedback = self.submit_details(loyalty_birthday="1990-06-01", city="Beijing")
        self.assertEqual(feedback.get("invalid_fields"), ["loyalty_birthday"])
        self.assertIn("can be changed again", feedback["messages"][0])
        self.assertEqual(self.holder.loyalty_birthday, date(1990, 5, 1))
        self.assertEqual(self.holder.city, "Shanghai")
        # Unchanged birthday: the rest of the form saves.
        feedback = self.submit_details(loyalty_birthday="1990-05-01", city="Beijing")
        self.assertEqual(feedback.get("redirectUrl"), "/my", feedback)
        self.assertEqual(self.holder.city, "Beijing")
        feedback = self.submit_details(loyalty_birthday="2999-01-01")
        self.assertEqual(feedback.get("invalid_fields"), ["loyalty_birthday"])
        # A year later it may move again.
        self.holder.sudo().loyalty_birthday_changed_date = self.today - timedelta(days=366)
        feedback = self.submit_details(loyalty_birthday="1990-06-01")
        self.assertEqual(feedback.get("redirectUrl"), "/my", feedback)
        self.assertEqual(self.holder.loyalty_birthday, date(1990, 6, 1))
        # The date of the change is not a form field.
        self.submit_details(loyalty_birthday_changed_date="2000-01-01")
        self.assertEqual(self.holder.loyalty_birthday_changed_date, self.today)

    def test_tier_user_sees_the_view_and_portal_user_sees_nobody_elses_data(self):
        duplicate = self.new_contact("Li Na Two", member=False, phone="138 0013 8009")
        self.holder.phone = "13800138009"
        Partner = self.env["res.partner"].with_user(self.tier_user)
        found = Partner.search([("is_loyalty_member", "=", True), ("member_data_has_duplicate", "=", True)])
        self.assertIn(self.holder, found)
        self.assertEqual(found.filtered(lambda p: p == self.holder).member_data_duplicate_ids, duplicate)
        Partner.get_views([(self.env.ref("loyalty_tiers.res_partner_member_data_view_list").id, "list")])
        menu = self.env.ref("loyalty_tiers.menu_loyalty_tiers_member_data")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.tier_user)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.plain_user)._visible_menu_ids())
        portal_partner = self.holder.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            portal_partner.read(["member_data_duplicate_ids"])
        with self.assertRaises(AccessError):
            duplicate.with_user(self.portal_user).read(["phone"])
        with self.assertRaises(AccessError):
            portal_partner.write({"loyalty_birthday": date(1990, 1, 1)})
