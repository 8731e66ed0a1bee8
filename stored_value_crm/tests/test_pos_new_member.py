from uuid import uuid4

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StoredValuePosCommon, StoredValuePosTourCase


@tagged("post_install", "-at_install")
class TestPosNewMember(StoredValuePosCommon):
    """办卡 at the counter: a cashier alone opens a member card for a new customer, never a second member
    for a mobile that a customer already has, online or in an order taken offline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.cn")
        cls.batch = cls.env["stored.value.card.batch"].create({"quantity": 3, "prefix": "77"})
        cls.batch.action_generate()
        cls.printed = cls.batch.stock_ids.mapped("name")

    def open_member(self, values=None, pin=None, partner_id=None, request_uuid=None, user=None):
        member = {"name": "Wang Fang", "phone": "138 1234 5678", "consent": {"email": True, "sms": False}}
        member.update(values or {})
        return (
            self.env["res.partner"]
            .with_user(user or self.pos_cashier)
            .pos_open_member(self.config.id, member, request_uuid or str(uuid4()), pin=pin, partner_id=partner_id)
        )

    def members_with(self, phone):
        return self.env["res.partner"].search([("phone_sanitized", "=", phone)])

    def test_a_cashier_opens_a_card_for_a_new_customer_with_a_pin(self):
        request = str(uuid4())
        result = self.open_member({"email": "wang.fang@example.com"}, pin="1357", request_uuid=request)
        self.assertEqual(result["status"], "opened")
        partner = self.env["res.partner"].browse(result["partner_id"])
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.assertEqual(
            (partner.name, partner.phone, partner.email), ("Wang Fang", "+8613812345678", "wang.fang@example.com")
        )
        self.assertEqual((card.partner_id, card.state, card.balance), (partner, "active", 0.0))
        self.assertTrue(card.has_pin)
        card._check_pin("1357")  # the PIN the holder chose is the card's
        self.assertEqual([row["id"] for row in result["records"]["stored.value.card"]], card.ids)
        # The cashier serving the member sees their mobile and card number in full, unlike other members'.
        self.assertEqual(result["records"]["res.partner"][0]["phone"], "+8613812345678")
        self.assertEqual(result["records"]["stored.value.card"][0]["name"], card.name)

        # What the member agreed to at the counter is their consent, with its source.
        self.assertEqual((partner.stored_value_consent_email, partner.stored_value_consent_sms), (True, False))
        history = self.env["stored.value.consent"].search([("partner_id", "=", partner.id)])
        self.assertEqual(set(history.mapped("source")), {"pos"})
        self.assertEqual(history.pos_config_id, self.config)

        again = self.open_member({"email": "wang.fang@example.com"}, pin="1357", request_uuid=request)
        self.assertEqual(
            (again["partner_id"], again["card_id"]), (partner.id, card.id), "a request sent twice opens once"
        )
        self.assertEqual(len(self.members_with("+8613812345678")), 1)

    def test_a_mobile_already_known_offers_its_customer_instead_of_a_twin(self):
        known = self.env["res.partner"].create({"name": "Li Lei", "phone": "+86 138-1234-5678"})
        found = self.env["res.partner"].with_user(self.pos_cashier).pos_find_member(self.config.id, "13812345678")
        self.assertEqual((found["phone"], found["partner_id"]), ("+8613812345678", known.id))
        self.assertEqual(found["records"]["res.partner"][0]["phone"], "+86 138-1234-5678", "found by its number")

        result = self.open_member()
        self.assertEqual((result["status"], result["partner_id"]), ("existing", known.id))
        self.assertFalse(known.stored_value_card_ids, "nothing is written until the cashier serves them")
        self.assertEqual(len(self.members_with("+8613812345678")), 1)

        known._stored_value_set_consent({"email": True}, "backoffice")
        served = self.open_member(
            {"email": "li.lei@example.com", "consent": {"email": False, "sms": True}}, partner_id=known.id
        )
        self.assertEqual(
            (known.stored_value_consent_email, known.stored_value_consent_sms),
            (True, True),
            "a known customer's consent is only added to at the counter",
        )
        self.assertEqual((served["status"], served["partner_id"]), ("opened", known.id))
        self.assertEqual(known.name, "Li Lei", "the customer keeps their own data")
        self.assertEqual(known.email, "li.lei@example.com", "what was missing is filled in")
        self.assertEqual(known.stored_value_card_ids.ids, [served["card_id"]])
        # Served again, the customer keeps the card they hold: no second card.
        self.assertEqual(self.open_member(partner_id=known.id)["card_id"], served["card_id"])
        with self.assertRefused("already holds card"):
            self.open_member(partner_id=known.id, pin="1234")

    def test_a_pre_printed_card_is_sold_to_the_new_member(self):
        result = self.open_member({"stock_number": self.printed[0]})
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.assertEqual((card.name, card.state), (self.printed[0], "active"))
        self.assertEqual(self.batch.stock_ids.filtered(lambda stock: stock.name == self.printed[0]).state, "sold")
        state = self.env["stored.value.card.stock"].with_user(self.pos_cashier).pos_stock_card_state
        self.assertIn("already sold", state(self.config.id, self.printed[0])["problem"])
        self.assertEqual(state(self.config.id, self.printed[1]), {"printed": True, "problem": False})
        self.assertEqual(state(self.config.id, "4242"), {"printed": False, "problem": False})
        with self.assertRefused("already sold"):
            self.open_member({"phone": "13900001111", "name": "Zhao Lei", "stock_number": self.printed[0]})
        self.assertFalse(self.members_with("+8613900001111"), "a refused opening writes nothing")

    def test_bad_member_data_is_refused_with_its_reason(self):
        refusals = [
            ({"phone": "12"}, "not a valid mobile number"),
            ({"phone": ""}, "mobile number"),
            ({"name": "  "}, "name"),
            ({"email": "not-an-email"}, "not an email address"),
            ({"consent": {"email": "yes"}}, "consent"),
            ({"consent": {"post": True}}, "consent"),
            ({"loyalty": 500}, "cannot read"),
            ({"stock_number": 42}, "not a card number"),
        ]
        for values, pattern in refusals:
            with self.subTest(values=values), self.assertRefused(pattern):
                self.open_member(values)
        with self.assertRefused("valid identifier"):
            self.open_member(request_uuid="not-a-uuid")
        with self.assertRefused("4 to 8 digits"):
            self.open_member(pin="12")
        with self.assertRefused("not a customer"):
            self.open_member(partner_id="1")
        self.assertFalse(self.members_with("+8613812345678"))

    def test_the_existing_customer_named_must_have_the_mobile(self):
        other = self.env["res.partner"].create({"name": "Someone Else", "phone": "+8613700000000"})
        with self.assertRefused("does not have the mobile"):
            self.open_member(partner_id=other.id)
        self.assertFalse(other.stored_value_card_ids)

    def test_only_counter_staff_open_member_cards(self):
        portal = self._create_portal_user("member_portal", "member_portal", name="Member Portal")
        with self.assertRaises(AccessError):
            self.open_member(user=portal)

    def new_member_order(self, amount, member, uuid=None):
        """An order taken offline: the member it opened, and a top-up of the card it opened."""
        line = {
            "product": self.top_up_product,
            "quantity": 1,
            "price_unit": amount,
            "price_subtotal": amount,
            "price_subtotal_incl": amount,
            "stored_value_opens_card": True,
        }
        data = self.create_ui_order_data([line], payments=[(self.cash_method, amount)], uuid=uuid or str(uuid4()))
        data["stored_value_new_member"] = member
        return data

    def test_an_order_taken_offline_opens_the_card_at_sync_once(self):
        self._create_rule(100.0, 20.0)
        member = {"name": "Chen Jing", "phone": "13911112222", "email": False, "consent": {"sms": True}}
        data = self.new_member_order(100.0, member)
        order = self.sync(data, user=self.pos_cashier)
        partner = order.partner_id
        self.assertEqual((partner.name, partner.phone), ("Chen Jing", "+8613911112222"))
        card = partner.stored_value_card_ids
        self.assertEqual((card.state, card.principal_balance, card.bonus_balance), ("active", 100.0, 20.0))
        self.assertFalse(order.stored_value_new_member, "what the terminal typed is not kept on the order")
        self.sync(self.new_member_order(100.0, member, uuid=order.uuid), user=self.pos_cashier)
        self.assertEqual((len(self.members_with("+8613911112222")), len(partner.stored_value_card_ids)), (1, 1))
        self.assertEqual(card.balance, 120.0, "an order synced twice opens and credits once")
        self.assertLedgerAgrees()

    def test_a_mobile_found_at_sync_merges_onto_the_existing_customer(self):
        known = self.env["res.partner"].create({"name": "Li Lei", "phone": "+8613812345678"})
        order = self.sync(
            self.new_member_order(50.0, {"name": "Lei Li", "phone": "13812345678"}), user=self.pos_cashier
        )
        self.assertEqual(order.partner_id, known)
        self.assertEqual(known.name, "Li Lei")
        self.assertEqual(known.stored_value_card_ids.balance, 50.0)
        self.assertEqual(len(self.members_with("+8613812345678")), 1, "no twin")

    @mute_logger("odoo.addons.stored_value_crm.models.pos_order")
    def test_a_member_that_cannot_be_opened_at_sync_loses_nothing(self):
        bad = self.new_member_order(80.0, {"name": "No Phone", "phone": "12"})
        good = self.card_order([(self.haircut, 1)], [(self.cash_method, 60.0)])
        orders = self.sync(bad, good, user=self.pos_cashier)
        self.assertEqual(len(orders), 2, "the order is saved, and the other order of the batch too")
        kept = orders.filtered(lambda order: order.uuid == bad["uuid"])
        self.assertTrue(kept.stored_value_review, "its top-up waits in deposits for a manager")
        self.assertIn("could not be opened", " ".join(kept.message_ids.mapped("body")))
        self.assertFalse(self.members_with("+8612"))

    def test_a_malformed_new_member_does_not_block_the_order(self):
        with mute_logger("odoo.addons.stored_value_crm.models.pos_order"):
            order = self.sync(self.new_member_order(30.0, ["not", "a", "member"]), user=self.pos_cashier)
        self.assertTrue(order.stored_value_review)
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.pos_cashier)._stored_value_member_values("text", self.company)


@tagged("post_install", "-at_install")
class TestPosNewMemberTour(StoredValuePosTourCase):
    """In Chromium: a cashier opens a member card with its first top-up, online and offline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("stored_value_crm.group_stored_value_manager")  # sets the shop up
        company = cls.main_pos_config.company_id
        company.country_id = cls.env.ref("base.cn")
        company._stored_value_setup_accounting()
        cls.main_pos_config.payment_method_ids |= company._stored_value_pos_payment_method()
        cls.top_up_product = cls.env.ref("stored_value_crm.product_stored_value_top_up")
        cls.top_up_product.product_tmpl_id.active = True  # the common setup archives every POS product
        cls.env["stored.value.bonus.rule"].create({"name": "充100送20", "min_amount": 100.0, "bonus_value": 20.0})
        cls.known = cls.env["res.partner"].create({"name": "AAA Known Member", "phone": "+8613900009999"})

    def test_a_cashier_opens_a_member_card_and_tops_it_up(self):
        self.start_pos_tour("StoredValueNewMemberTour")
        partner = self.env["res.partner"].search([("phone_sanitized", "=", "+8613812345678")])
        self.assertEqual(partner.name, "Zhang Wei")
        card = partner.stored_value_card_ids
        self.assertEqual((card.state, card.principal_balance, card.bonus_balance), ("active", 100.0, 20.0))
        self.assertTrue(card.has_pin)
        # The known mobile served its customer, with one new card, and made no twin.
        self.assertEqual(len(self.known.stored_value_card_ids), 1)
        self.assertEqual(self.env["res.partner"].search_count([("phone_sanitized", "=", "+8613900009999")]), 1)

    def test_a_member_card_opened_offline_is_opened_at_sync(self):
        self.start_pos_tour("StoredValueNewMemberOfflineTour")
        partner = self.env["res.partner"].search([("phone_sanitized", "=", "+8613700001234")])
        self.assertEqual(partner.name, "Offline Member")
        self.assertEqual(partner.stored_value_card_ids.balance, 50.0)
