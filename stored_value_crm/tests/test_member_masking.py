from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import StoredValuePosCommon

PHONE = "13812345678"
EMAIL = "li.na@example.com"
MASKED_PHONE = "138****5678"
MASKED_EMAIL = "l***@example.com"


class MaskingCommon(StoredValuePosCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder.write({"phone": PHONE, "email": EMAIL})
        cls.masked_card = cls.card.masked_number
        # Wang Wei holds no card: an ordinary contact, never masked.
        cls.other_holder.write({"phone": "13998765432", "email": "wang.wei@example.com"})

    def partner_values(self, user, partner=None, fields_=("phone", "email")):
        return (partner or self.holder).with_user(user).read(list(fields_))[0]

    def card_values(self, user, card=None):
        return (card or self.card).with_user(user).read(["name", "display_name"])[0]

    def assertMasked(self, user):
        self.assertEqual(
            (self.partner_values(user)["phone"], self.partner_values(user)["email"]), (MASKED_PHONE, MASKED_EMAIL)
        )
        self.assertEqual(
            (self.card_values(user)["name"], self.card_values(user)["display_name"]),
            (self.masked_card, self.masked_card),
        )

    def assertShownInFull(self, user):
        self.assertEqual((self.partner_values(user)["phone"], self.partner_values(user)["email"]), (PHONE, EMAIL))
        self.assertEqual(
            (self.card_values(user)["name"], self.card_values(user)["display_name"]), (self.card.name, self.card.name)
        )


@tagged("post_install", "-at_install")
class TestMemberMasking(MaskingCommon):
    """Cashiers and stored-value users see members masked until they find them by the exact number."""

    def test_a_cashier_and_a_stored_value_user_see_members_masked(self):
        for user in (self.pos_cashier, self.sv_user):
            with self.subTest(user=user.login):
                self.assertMasked(user)
                web = self.holder.with_user(user).web_read({"phone": {}, "email": {}, "email_formatted": {}})[0]
                self.assertEqual((web["phone"], web["email"]), (MASKED_PHONE, MASKED_EMAIL))
                self.assertEqual(web["email_formatted"], f'"Li Na" <{MASKED_EMAIL}>')
                card = self.card.with_user(user).web_read({"name": {}, "partner_id": {"fields": {"phone": {}}}})[0]
                self.assertEqual((card["name"], card["partner_id"]["phone"]), (self.masked_card, MASKED_PHONE))
                # Python code sees the real values: mails and the ORM are not masked.
                self.assertEqual(self.holder.with_user(user).phone, PHONE)

    def test_a_manager_sees_members_in_full(self):
        self.assertShownInFull(self.sv_manager)
        self.assertFalse(self.env["stored.value.reveal"].search([]), "nothing to reveal to a manager")

    def test_contacts_without_a_card_are_untouched(self):
        values = self.partner_values(self.pos_cashier, self.other_holder)
        self.assertEqual((values["phone"], values["email"]), ("13998765432", "wang.wei@example.com"))
        self.card._close("The holder leaves.")
        self.env.invalidate_all()
        self.assertEqual(self.partner_values(self.sv_user)["phone"], PHONE, "a closed card makes no member")

    def test_an_exact_phone_email_or_card_search_reveals_the_member_to_that_user_only(self):
        Partner = self.env["res.partner"].with_user(self.sv_user)
        found = Partner.web_search_read([("phone_mobile_search", "ilike", PHONE)], {"phone": {}})["records"]
        self.assertEqual(found, [{"id": self.holder.id, "phone": PHONE}])
        self.assertShownInFull(self.sv_user)
        self.assertMasked(self.pos_cashier)
        reveal = self.env["stored.value.reveal"].search([("user_id", "=", self.sv_user.id)])
        self.assertEqual((reveal.partner_id, reveal.reason), (self.holder, "search"))

        Card = self.env["stored.value.card"].with_user(self.pos_cashier)
        found = Card.web_search_read([("name", "ilike", self.card.name)], {"name": {}, "display_name": {}})
        self.assertEqual(found["records"][0]["name"], self.card.name)
        self.assertShownInFull(self.pos_cashier)

    def test_an_exact_email_in_a_dropdown_reveals_the_member(self):
        Partner = self.env["res.partner"].with_user(self.sv_user)
        Partner.web_name_search(EMAIL.upper(), {"display_name": {}})
        self.assertShownInFull(self.sv_user)

    def test_a_partial_search_finds_members_but_keeps_them_masked(self):
        Partner = self.env["res.partner"].with_user(self.sv_user)
        found = Partner.web_search_read([("phone_mobile_search", "ilike", PHONE[:7])], {"phone": {}})["records"]
        self.assertEqual(found, [{"id": self.holder.id, "phone": MASKED_PHONE}])
        found = Partner.search_read([("email", "ilike", "li.na@")], ["email"])
        self.assertEqual(found, [{"id": self.holder.id, "email": MASKED_EMAIL}])
        Card = self.env["stored.value.card"].with_user(self.sv_user)
        self.assertEqual(Card.name_search(self.card.name[:-1]), [(self.card.id, self.masked_card)])
        self.assertMasked(self.sv_user)
        self.assertFalse(self.env["stored.value.reveal"].search([]))

    def test_a_reveal_expires_after_half_an_hour(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            self.holder.with_user(self.pos_cashier)._stored_value_reveal("counter")
            self.assertShownInFull(self.pos_cashier)
        with freeze_time(now + timedelta(minutes=29)):
            self.env.invalidate_all()
            self.assertShownInFull(self.pos_cashier)
        with freeze_time(now + timedelta(minutes=31)):
            self.env.invalidate_all()
            self.assertMasked(self.pos_cashier)

    def test_grouping_by_phone_email_or_card_number_is_refused_to_masked_users(self):
        Partner = self.env["res.partner"].with_user(self.sv_user)
        with self.assertRaisesRegex(AccessError, "masked for you"):
            Partner.formatted_read_group([], ["email"], ["__count"])
        with self.assertRaisesRegex(AccessError, "masked for you"):
            Partner.formatted_read_group([], ["country_id"], ["phone:array_agg"])
        with self.assertRaisesRegex(AccessError, "masked for you"):
            self.env["stored.value.card"].with_user(self.pos_cashier).formatted_read_group([], ["name"], ["__count"])
        groups = (
            self.env["res.partner"]
            .with_user(self.sv_manager)
            .formatted_read_group([("id", "=", self.holder.id)], ["email"], ["__count"])
        )
        self.assertEqual(groups[0]["email"], EMAIL)

    def test_a_value_still_masked_is_never_saved(self):
        partner = self.holder.with_user(self.sv_user)
        with self.assertRaisesRegex(UserError, "still shows the mask"):
            partner.write({"phone": MASKED_PHONE})
        with self.assertRaisesRegex(UserError, "still shows the mask"):
            partner.web_save({"email": MASKED_EMAIL, "name": "Li Na"}, {"email": {}})
        with self.assertRaisesRegex(UserError, "still shows the mask"):
            self.env["res.partner"].with_user(self.sv_user).create({"name": "Copy", "phone": MASKED_PHONE})
        self.assertEqual((self.holder.phone, self.holder.email), (PHONE, EMAIL))
        # A new real value is saved, and other fields save without touching the masked ones.
        partner.write({"phone": "13800001111", "street": "1 Nanjing Road"})
        self.assertEqual(self.holder.phone, "13800001111")

    def test_the_chatter_shows_phone_changes_masked(self):
        phone_field = self.env["ir.model.fields"]._get("res.partner", "phone")
        message = self.holder._message_log(
            tracking_value_ids=[
                Command.create({"field_id": phone_field.id, "old_value_char": PHONE, "new_value_char": "13800001111"})
            ]
        )
        trackings = message.tracking_value_ids
        formatted = trackings.with_user(self.sv_user).sudo()._tracking_value_format()
        self.assertEqual((formatted[0]["oldValue"], formatted[0]["newValue"]), (MASKED_PHONE, "138****1111"))
        formatted = trackings.with_user(self.sv_manager).sudo()._tracking_value_format()
        self.assertEqual((formatted[0]["oldValue"], formatted[0]["newValue"]), (PHONE, "13800001111"))


@tagged("post_install", "-at_install")
class TestMemberMaskingAtThePos(MaskingCommon):
    """The POS loads members masked; a scanned card or an exact search shows its holder in full."""

    def load_partner(self, user=None):
        holder = self.holder.with_user(user or self.pos_cashier)
        return holder._load_pos_data_read(holder, self.config)[0]

    def load_card(self, user=None):
        card = self.card.with_user(user or self.pos_cashier)
        return card._load_pos_data_read(card, self.config)[0]

    def test_the_pos_loads_members_masked(self):
        partner, card = self.load_partner(), self.load_card()
        self.assertEqual((partner["phone"], partner["email"]), (MASKED_PHONE, MASKED_EMAIL))
        self.assertEqual((card["name"], card["masked_number"]), (self.masked_card, self.masked_card))
        partner = self.load_partner(self.sv_manager)
        self.assertEqual((partner["phone"], partner["email"]), (PHONE, EMAIL))

    def test_a_scanned_card_shows_the_card_and_its_holder(self):
        Card = self.env["stored.value.card"].with_user(self.pos_cashier)
        result = Card.pos_search_cards(self.config.id, code=f" {self.card.name} ")
        self.assertEqual(result["stored.value.card"][0]["name"], self.card.name)
        self.assertEqual(result["res.partner"][0]["phone"], PHONE)
        self.assertEqual((self.load_partner()["email"], self.load_card()["name"]), (EMAIL, self.card.name))
        reveal = self.env["stored.value.reveal"].search([("user_id", "=", self.pos_cashier.id)])
        self.assertEqual((reveal.partner_id, reveal.card_id, reveal.reason), (self.holder, self.card, "scan"))

    def test_the_customer_search_finds_members_by_exact_phone_or_card_number(self):
        Partner = self.env["res.partner"].with_user(self.pos_cashier)
        # A part of the number finds the member, masked.
        result = Partner.get_new_partner(self.config.id, [("phone_mobile_search", "ilike", PHONE[:6])], 0)
        self.assertEqual([partner["phone"] for partner in result["res.partner"]], [MASKED_PHONE])
        self.assertEqual(result["stored.value.card"][0]["name"], self.masked_card)
        # The whole card number, as the POS searches it, shows the member and their cards.
        number = self.card.name
        domain = ["|", ("phone_mobile_search", "ilike", number), ("stored_value_card_ids.name", "ilike", number)]
        result = Partner.get_new_partner(self.config.id, domain, 0)
        self.assertEqual([partner["phone"] for partner in result["res.partner"]], [PHONE])
        self.assertEqual(result["stored.value.card"][0]["name"], self.card.name)

    def test_the_whole_phone_at_the_pos_reveals_the_member(self):
        Partner = self.env["res.partner"].with_user(self.pos_cashier)
        result = Partner.get_new_partner(self.config.id, [("phone_mobile_search", "ilike", PHONE)], 0)
        self.assertEqual([partner["email"] for partner in result["res.partner"]], [EMAIL])

    def test_a_member_served_at_the_counter_is_shown_in_the_same_transaction(self):
        self.assertEqual(self.load_partner()["phone"], MASKED_PHONE)
        self.holder.with_user(self.pos_cashier)._stored_value_reveal("counter")
        self.assertEqual((self.load_partner()["phone"], self.load_card()["name"]), (PHONE, self.card.name))


@tagged("post_install", "-at_install")
class TestMemberMaskingOverRpc(MaskingCommon, HttpCase):
    """What a cashier or stored-value user asks a running server directly, over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.pos_cashier | cls.sv_user | cls.sv_manager).password = "masking-pass-1"

    def call(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, "masking-pass-1")
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_direct_reads_of_phones_emails_and_card_numbers_come_masked(self):
        for user in (self.pos_cashier, self.sv_user):
            with self.subTest(user=user.login):
                read = self.call(user, "res.partner", "read", self.holder.ids, ["phone", "email", "phone_sanitized"])
                self.assertEqual((read[0]["phone"], read[0]["email"]), (MASKED_PHONE, MASKED_EMAIL))
                self.assertNotIn("12345678", str(read[0]["phone_sanitized"]))
                found = self.call(user, "res.partner", "search_read", [("id", "=", self.holder.id)], ["phone"])
                self.assertEqual(found[0]["phone"], MASKED_PHONE)
                web = self.call(user, "res.partner", "web_read", self.holder.ids, {"email": {}, "display_name": {}})
                self.assertEqual(web[0]["email"], MASKED_EMAIL)
                shown = self.call(
                    user, "res.partner", "read", self.holder.ids, ["display_name"], context={"show_email": True}
                )
                self.assertNotIn(EMAIL, shown[0]["display_name"])
                cards = self.call(user, "stored.value.card", "search_read", [("id", "=", self.card.id)], ["name"])
                self.assertEqual(cards[0]["name"], self.masked_card)
                names = self.call(user, "stored.value.card", "web_read", self.card.ids, {"display_name": {}})
                self.assertEqual(names[0]["display_name"], self.masked_card)

    def test_an_exact_search_over_rpc_shows_the_member_then_managers_see_everything(self):
        found = self.call(self.sv_user, "res.partner", "search_read", [("email", "=", EMAIL)], ["phone"])
        self.assertEqual(found[0]["phone"], PHONE)
        read = self.call(self.sv_user, "stored.value.card", "read", self.card.ids, ["name"])
        self.assertEqual(read[0]["name"], self.card.name)
        read = self.call(self.sv_manager, "res.partner", "read", self.holder.ids, ["phone", "email"])
        self.assertEqual((read[0]["phone"], read[0]["email"]), (PHONE, EMAIL))

    def test_the_trail_of_reveals_is_not_for_cashiers(self):
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call(self.pos_cashier, "stored.value.reveal", "create", {"partner_id": self.holder.id})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call(self.sv_user, "stored.value.reveal", "search_read", [], ["partner_id"])

    def test_saving_a_masked_value_over_rpc_is_refused(self):
        with self.assertRaisesRegex(JsonRpcException, "UserError"), mute_logger("odoo.http"):
            self.call(self.sv_user, "res.partner", "write", self.holder.ids, {"phone": MASKED_PHONE})
        self.assertEqual(self.holder.phone, PHONE)
