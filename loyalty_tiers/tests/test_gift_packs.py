from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.service.model import retrying
from odoo.tests import Form, tagged

from odoo.addons.stored_value_crm.models.stored_value_card import StoredValueCard
from odoo.addons.stored_value_crm.tests.common import CommittedShopCase, StoredValuePosTourCase

from .common import LoyaltyTiersPosCommon


def coffee_coupon_program(env, company, product):
    """Coupons whose reward is a free coffee: how a gift product is handed over at the till."""
    return env["loyalty.program"].create(
        {
            "name": "Coffee Coupons",
            "program_type": "coupons",
            "company_id": company.id,
            "pos_ok": False,
            "reward_ids": [
                Command.clear(),
                Command.create(
                    {
                        "reward_type": "product",
                        "reward_product_id": product.id,
                        "required_points": 1,
                        "description": "Free Coffee",
                    }
                ),
            ],
        }
    )


@tagged("post_install", "-at_install")
class TestGiftPacks(LoyaltyTiersPosCommon):
    """充值礼包: a top-up rule gives money, points and a coupon, once, and its refund takes them back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coffee = cls.env["product.product"].create({"name": "Coffee", "list_price": 15.0, "taxes_id": False})
        cls.coupons = coffee_coupon_program(cls.env, cls.company, cls.coffee)
        # The points of the packs go to a programme of their own, apart from the points earned on sales.
        cls.gift_points = cls.env["loyalty.program"].create(
            {
                "name": "Gift Points",
                "program_type": "loyalty",
                "company_id": cls.company.id,
                "pos_ok": False,
                "rule_ids": [Command.clear()],
            }
        )
        cls.pack = cls._create_rule(
            500,
            50,
            name="充500送50+200积分+咖啡券",
            gift_points=200,
            gift_points_program_id=cls.gift_points.id,
            gift_line_ids=[Command.create({"program_id": cls.coupons.id, "quantity": 1, "refund_value": 15})],
        )

    def member_points(self):
        return self.gift_points._member_card(self.holder).points

    def coffee_coupons(self):
        return (
            self.env["loyalty.card"]
            .with_context(active_test=False)
            .search([("program_id", "=", self.coupons.id), ("partner_id", "=", self.holder.id)])
        )

    def assertPackGiven(self, balance=550.0):
        self.assertEqual((self.card.principal_balance, self.card.balance), (500.0, balance))
        self.assertEqual(self.member_points(), 200.0)
        coupon = self.coffee_coupons()
        self.assertEqual((len(coupon), coupon.points, coupon.active), (1, 1.0, True))
        self.assertIn(self.card.name, coupon.incentive_description)

    def back_office_top_up(self, amount, user=None):
        wizard = Form(
            self.env["stored.value.topup.wizard"]
            .with_user(user or self.sv_user)
            .with_context(default_card_id=self.card.id)
        )
        wizard.amount = amount
        wizard.journal_id = self.cash_journal
        return wizard.save()

    def refund(self, user=None, policy_says=None):
        wizard = (
            self.env["stored.value.refund.wizard"]
            .with_user(user or self.sv_manager)
            .create({"card_id": self.card.id, "journal_id": self.cash_journal.id})
        )
        figures = (wizard.refund_amount, wizard.deduction)
        if policy_says:
            self.assertIn(policy_says, wizard.policy)
        wizard.action_confirm()
        return figures

    def test_a_back_office_top_up_shows_then_gives_money_points_and_a_coupon_once(self):
        wizard = self.back_office_top_up(500)
        self.assertEqual((wizard.bonus_amount, wizard.balance_after), (50.0, 550.0))
        self.assertIn("200 points (Gift Points)", wizard.bonus_details)
        self.assertIn("1 × Free Coffee (Coffee Coupons)", wizard.bonus_details)
        self.assertEqual(self.member_points(), 0.0, "the preview gives nothing")
        wizard.action_confirm()
        self.assertPackGiven()
        wizard.action_confirm()  # a double click
        self.assertPackGiven()
        self.assertPointsAgree()
        self.assertLedgerAgrees()

    def test_a_pos_top_up_gives_the_pack_once_also_when_synced_twice(self):
        preview = self.card.with_user(self.pos_cashier).pos_top_up_preview(500.0)
        self.assertEqual(
            preview,
            {
                "bonus": 50.0,
                "rules": [self.pack.name],
                "gifts": ["200 points (Gift Points)", "1 × Free Coffee (Coffee Coupons)"],
                "balance_after": 550.0,
            },
        )
        self.assertEqual(self.card.with_user(self.pos_cashier).pos_top_up_preview(100.0)["gifts"], [])
        data = self.card_order([self.top_up_line(500.0)], [(self.cash_method, 500.0)])
        order = self.sync(data, user=self.pos_cashier)
        self.assertFalse(order.stored_value_review)
        self.assertPackGiven()
        self.sync(data, user=self.pos_cashier)
        self.assertPackGiven()
        self.assertPointsAgree()

    def test_a_top_up_that_fails_gives_nothing(self):
        self.card.action_freeze()
        order = self.sync(self.card_order([self.top_up_line(500.0)], [(self.cash_method, 500.0)]))
        self.assertTrue(order.stored_value_review, "the money is kept for a manager")
        self.assertEqual((self.card.balance, self.member_points()), (0.0, 0.0))
        self.assertFalse(self.coffee_coupons())

    def test_a_pack_whose_coupons_cannot_be_issued_refuses_the_whole_top_up(self):
        self.coupons.active = False
        wizard = self.back_office_top_up(500)
        with self.assertRaisesRegex(UserError, "does not issue coupons"), self.env.cr.savepoint():
            wizard.action_confirm()
        self.assertEqual((self.card.balance, self.member_points()), (0.0, 0.0))

    def test_the_refund_takes_the_pack_back(self):
        self.back_office_top_up(500).action_confirm()
        self.assertEqual(
            self.refund(
                policy_says="Gift packs: 200 points taken back; unused coupons voided: 1; used coupons, kept by "
                "the member: 0"
            ),
            (500.0, 0.0),
        )
        self.assertEqual((self.card.balance, self.card.state), (0.0, "closed"))
        self.assertEqual(self.member_points(), 0.0)
        coupon = self.coffee_coupons()
        self.assertEqual((coupon.points, coupon.active), (0.0, False), "the unused coupon is void")
        self.assertIn("taken back", coupon.history_ids.sorted("id")[-1:].description)
        self.assertPointsAgree()
        self.assertLedgerAgrees()

    def test_a_refund_after_the_gifts_were_used_follows_the_refund_policy(self):
        self.company.stored_value_refund_deduct_bonus = True
        self.back_office_top_up(500).action_confirm()
        member_card = self.gift_points._member_card(self.holder)
        member_card.sudo().write({"points": 50.0})  # the member spent 150 of the 200 points
        coupon = self.coffee_coupons()
        self.env["sale.order"].sudo().create(
            {
                "partner_id": self.holder.id,
                "order_line": [Command.create({"product_id": self.coffee.id, "coupon_id": coupon.id})],
            }
        )
        self.assertEqual(coupon.use_count, 1)
        # The used coffee coupon is worth 15, kept from the refund as spent bonus is.
        self.assertEqual(
            self.refund(policy_says="unused coupons voided: 0; used coupons, kept by the member: 1"), (485.0, 15.0)
        )
        self.assertEqual(member_card.points, 0.0, "the points left are taken back")
        self.assertTrue(coupon.active, "a used coupon stays with the member")
        activity = self.card.activity_ids.filtered(lambda activity: "Gift points" in activity.summary)
        self.assertIn("150", activity.note, "the spent points are flagged for a manager")
        self.assertPointsAgree()
        self.assertLedgerAgrees()

    def test_a_rule_giving_only_points(self):
        points_only = self._create_rule(
            100, 0, name="充100送300积分", gift_points=300, gift_points_program_id=self.gift_points.id
        )
        self.assertEqual(
            self.card.with_user(self.pos_cashier).pos_top_up_preview(100.0),
            {"bonus": 0.0, "rules": [points_only.name], "gifts": ["300 points (Gift Points)"], "balance_after": 100.0},
        )
        self.sync(self.card_order([self.top_up_line(100.0)], [(self.cash_method, 100.0)]))
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (100.0, 0.0))
        self.assertEqual(self.card.ledger_ids.mapped("entry_type"), ["topup"], "no empty bonus entry")
        self.assertEqual(self.member_points(), 300.0)

    def test_a_stored_value_manager_configures_a_pack_in_the_rule_form(self):
        form = Form(self.env["stored.value.bonus.rule"].with_user(self.sv_manager))
        form.name = "充1000送300积分+2张咖啡券"
        form.min_amount = 1000
        form.bonus_value = 0
        form.gift_points = 300
        form.gift_points_program_id = self.gift_points
        with form.gift_line_ids.new() as gift:
            gift.program_id = self.coupons
            gift.quantity = 2
        rule = form.save()
        self.assertEqual(
            self.card.with_user(self.sv_user)._top_up_gift_descriptions(rule),
            ["300 points (Gift Points)", "2 × Free Coffee (Coffee Coupons)"],
        )

    def test_bad_configurations_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "gives nothing"), self.env.cr.savepoint():
            self._create_rule(100, 0)
        with self.assertRaisesRegex(ValidationError, "choose the programme"), self.env.cr.savepoint():
            self._create_rule(100, 0, gift_points=10)
        with self.assertRaisesRegex(ValidationError, "positive number"), self.env.cr.savepoint():
            self._create_rule(100, 5, gift_points=-10, gift_points_program_id=self.gift_points.id)
        with self.assertRaisesRegex(ValidationError, "loyalty programme"), self.env.cr.savepoint():
            self._create_rule(100, 0, gift_points=10, gift_points_program_id=self.coupons.id)
        with self.assertRaisesRegex(ValidationError, "does not issue coupons"), self.env.cr.savepoint():
            self._create_rule(100, 0, gift_line_ids=[Command.create({"program_id": self.program.id})])
        for values in ({"quantity": 0}, {"quantity": 1000}, {"refund_value": -1}):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.pack.gift_line_ids.write(values)
        coupons_only = self._create_rule(
            100, 0, gift_line_ids=[Command.create({"program_id": self.coupons.id, "quantity": 2})]
        )
        with self.assertRaisesRegex(ValidationError, "gives nothing"), self.env.cr.savepoint():
            coupons_only.gift_line_ids.unlink()
        with self.assertRaisesRegex(ValidationError, "gives nothing"), self.env.cr.savepoint():
            coupons_only.write({"gift_line_ids": [Command.clear()]})

    def test_staff_cannot_change_a_pack_or_claim_another_one(self):
        for user in (self.pos_cashier, self.sv_user):
            with self.assertRaises(AccessError):
                self.pack.with_user(user).write({"gift_points": 5000})
            with self.assertRaises(AccessError):
                self.pack.gift_line_ids.with_user(user).write({"quantity": 50})
        # A terminal claiming a 500 top-up for 100 paid: the server counts 100, flags it, gives nothing.
        data = self.card_order([self.top_up_line(100.0)], [(self.cash_method, 500.0)])
        line = data["lines"][0][2]
        line.update(price_subtotal=500.0, price_subtotal_incl=500.0)
        data.update(amount_total=500.0, amount_paid=500.0)
        order = self.sync(data, user=self.pos_cashier)
        self.assertTrue(order.stored_value_review)
        self.assertEqual((self.card.balance, self.member_points()), (0.0, 0.0))
        self.assertFalse(self.coffee_coupons())
        with self.assertRaises(UserError):
            self.card.with_user(self.pos_cashier).pos_top_up_preview(-500.0)


@tagged("post_install", "-at_install")
class TestGiftPackTour(StoredValuePosTourCase):
    """A cashier types a top-up amount and sees its whole gift pack before adding it, in Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("stored_value_crm.group_stored_value_manager")
        cls.env["loyalty.program"].search([]).active = False
        company = cls.main_pos_config.company_id
        company._stored_value_setup_accounting()
        cls.main_pos_config.payment_method_ids |= company._stored_value_pos_payment_method()
        cls.env.ref("stored_value_crm.product_stored_value_top_up").product_tmpl_id.active = True
        cls.holder = cls.env["res.partner"].create({"name": "AAA Li Na"})
        cls.card = cls.env["stored.value.card"].create(
            {"name": "880000004242", "partner_id": cls.holder.id, "company_id": company.id}
        )
        cls.card.action_activate()
        cls.points = cls.env["loyalty.program"].create(
            {"name": "Member Points", "program_type": "loyalty", "company_id": company.id, "pos_ok": False}
        )
        coffee = cls.env["product.product"].create({"name": "Coffee", "list_price": 15.0, "taxes_id": False})
        cls.coupons = coffee_coupon_program(cls.env, company, coffee)
        cls.env["stored.value.bonus.rule"].create(
            {
                "name": "充500礼包",
                "company_id": company.id,
                "min_amount": 500,
                "bonus_value": 50,
                "gift_points": 200,
                "gift_points_program_id": cls.points.id,
                "gift_line_ids": [Command.create({"program_id": cls.coupons.id})],
            }
        )

    def test_the_cashier_sees_the_pack_before_adding_the_top_up(self):
        self.start_pos_tour("GiftPackTopUpTour")
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (500.0, 50.0))
        self.assertEqual(self.points._member_card(self.holder).points, 200.0)
        self.assertEqual(self.env["loyalty.card"].search_count([("program_id", "=", self.coupons.id)]), 1)


@tagged("post_install", "-at_install")
class TestGiftPackConcurrency(CommittedShopCase):
    """One top-up order synced by two requests at once, each in its own transaction: one pack given."""

    @classmethod
    def _set_up_committed_shop(cls, env):
        company = env["res.company"].browse(cls.company_id)
        points = env["loyalty.program"].create(
            {"name": "Concurrent Gift Points", "program_type": "loyalty", "company_id": company.id, "pos_ok": False}
        )
        coupons = coffee_coupon_program(env, company, env["product.product"].browse(cls.product_id))
        env["stored.value.bonus.rule"].create(
            {
                "name": "Concurrent pack",
                "company_id": company.id,
                "min_amount": 100,
                "bonus_value": 10,
                "gift_points": 50,
                "gift_points_program_id": points.id,
                "gift_line_ids": [Command.create({"program_id": coupons.id})],
            }
        )
        cls.points_id, cls.coupons_id = points.id, coupons.id

    def test_one_top_up_synced_twice_at_once_gives_one_pack(self):
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrent Gift Member"})
            card = env["stored.value.card"].create({"partner_id": partner.id, "company_id": self.company_id})
            card.action_activate()
            top_up = env.ref("stored_value_crm.product_stored_value_top_up")
            card_id, partner_id, top_up_id = card.id, partner.id, top_up.id
        line = {"product_id": top_up_id, "qty": 1, "price_unit": 100.0, "stored_value_card_id": card_id}
        line.update(price_subtotal=100.0, price_subtotal_incl=100.0)
        order_data = self.order_data(
            self.session_ids[0], [line], [{"amount": 100.0, "payment_method_id": self.cash_id}], partner_id
        )

        def sync(data):
            try:
                with self.committed_env(self.cashier_id) as env:
                    return "ok", retrying(lambda: env["pos.order"].sync_from_ui([dict(data)]), env)
            except ValidationError as error:
                return "refused", str(error)

        results = self.race(sync, (order_data,), (order_data,), hold=(StoredValueCard, "_book_top_up"))
        refusals = [message for status, message in results if status == "refused"]
        self.assertTrue(all("already exists" in message for message in refusals), refusals)
        with self.committed_env() as env:
            card = env["stored.value.card"].browse(card_id)
            self.assertEqual((card.principal_balance, card.bonus_balance), (100.0, 10.0))
            self.assertEqual(env["loyalty.program"].browse(self.points_id)._member_card(card.partner_id).points, 50.0)
            self.assertEqual(env["loyalty.card"].search_count([("program_id", "=", self.coupons_id)]), 1)
