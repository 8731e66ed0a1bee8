import re
from uuid import uuid4

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.service.model import retrying
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.stored_value_crm.tests.common import CommittedShopCase, StoredValuePosTourCase

from ..models.loyalty_card import LoyaltyCard
from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestPointsShop(LoyaltyTiersCommon, HttpCase):
    """Members exchange points for a gift card in the points shop (积分商城), on the portal and at the till."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A gift-card programme as its form creates it, with Odoo's defaults (one point per unit of money).
        cls.gift_cards = (
            cls.env["loyalty.program"]
            .with_context(default_program_type="gift_card")
            .create({"name": "Shop Gift Cards", "company_id": cls.company.id})
        )
        cls.shop_reward = cls.env["loyalty.reward"].create(
            {
                "program_id": cls.program.id,
                "reward_type": "discount",
                "discount": 5,
                "description": "Gift card of 50",
                "required_points": 300,
                "points_shop": True,
                "points_shop_program_id": cls.gift_cards.id,
                "points_shop_value": 50,
            }
        )
        cls.checkout_reward = cls.program.reward_ids - cls.shop_reward
        cls.other_program = cls.env["loyalty.program"].create(
            {"name": "Other Points", "program_type": "loyalty", "company_id": cls.company.id}
        )
        cls.env["loyalty.tier"].create({"name": "Other Member", "program_id": cls.other_program.id})
        cls.other_reward = cls.env["loyalty.reward"].create(
            {
                "program_id": cls.other_program.id,
                "description": "Other gift card",
                "required_points": 10,
                "points_shop": True,
                "points_shop_program_id": cls.gift_cards.id,
                "points_shop_value": 500,
            }
        )
        cls.card = cls._member(points=500)
        cls.other_card = cls._member(cls.other_holder, points=1000)
        cls.portal_user = cls._create_portal_user("shop.member", "shop.member", partner_id=cls.holder.id)
        cls.Redemption = cls.env["loyalty.redemption"]

    def redeem(self, card=None, reward=None, key=None):
        """A redemption as the portal makes it for the member's own card."""
        return self.Redemption.sudo()._redeem(
            card or self.card, reward or self.shop_reward, key or str(uuid4()), "portal"
        )

    def issued(self, partner=None):
        return self.env["loyalty.card"].search(
            [("program_id", "=", self.gift_cards.id), ("partner_id", "=", (partner or self.holder).id)]
        )

    def state(self, card=None):
        card = card or self.card
        card.invalidate_recordset()
        return card.points, len(card.history_ids), len(self.Redemption.search([("card_id", "=", card.id)]))

    def test_the_shop_shows_the_members_own_shop_rewards_only(self):
        shop = self.Redemption._catalogue_data(self.card)
        self.assertEqual([(reward["name"], reward["points"]) for reward in shop["rewards"]], [("Gift card of 50", 300)])
        self.assertEqual(shop["points"], 500)
        self.assertTrue(shop["rewards"][0]["affordable"])
        self.assertNotIn(self.checkout_reward, self.Redemption._catalogue(self.card))
        self.gift_cards.active = False
        self.assertFalse(self.Redemption._catalogue(self.card), "a shop reward whose programme is closed is hidden")

    def test_a_redemption_takes_the_points_once_and_issues_the_code_at_once(self):
        key = str(uuid4())
        redemption = self.redeem(key=key)
        self.assertEqual(self.state(), (200, 1, 1), "300 of the 500 points spent, in one history line")
        coupon = redemption.coupon_id
        self.assertEqual((coupon.partner_id, coupon.program_id, coupon.points), (self.holder, self.gift_cards, 50))
        self.assertTrue(coupon.code)
        self.assertEqual(self.issued(), coupon)
        self.assertEqual(sum(self.batches(self.card).mapped("remaining")), 200, "the batches paid the 300 points")
        self.assertEqual(self.redeem(key=key), redemption, "a replay returns the first redemption")
        self.assertEqual(self.state(), (200, 1, 1), "and takes nothing more")
        with self.assertRefused("another reward"):
            self.redeem(reward=self.shop_reward.copy({"description": "Another"}), key=key)

    def test_short_points_are_refused_with_nothing_written(self):
        self.redeem()
        with self.assertRefused("holds 200.0 points; 300.0 are needed"):
            self.redeem()
        self.assertEqual(self.state(), (200, 1, 1))
        self.assertEqual(len(self.issued()), 1)

    def test_malformed_keys_and_rewards_of_other_programmes_are_refused(self):
        for key in ("1", "../other", "' OR 1=1"):
            with self.subTest(key=key), self.assertRefused("malformed"):
                self.redeem(key=key)
        with self.assertRefused("not in the points shop"):
            self.redeem(reward=self.other_reward)
        with self.assertRefused("not in the points shop"):
            self.redeem(reward=self.checkout_reward)
        self.assertEqual(self.state(), (500, 0, 0))

    def test_a_shop_reward_is_never_taken_on_an_order(self):
        salesman = self._create_sv_user("shop_salesman", "Salesman", ["sales_team.group_sale_salesman"], [])
        order = (
            self.env["sale.order"]
            .with_user(salesman)
            .create({"partner_id": self.holder.id, "order_line": [Command.create({"product_id": self.product_a.id})]})
        )
        self.assertEqual(order._get_claimable_rewards(forced_coupons=self.card)[self.card], self.checkout_reward)
        with self.assertRaisesRegex(UserError, "of the points shop"):
            self.env["loyalty.card"]._check_reward_costs("S00042", [(self.shop_reward, 300)])
        config = self.env["pos.config"].sudo().create({"name": "Shop Till", "company_id": self.company.id})
        domain = self.env["loyalty.reward"]._load_pos_data_domain({}, config)
        loaded = self.env["loyalty.reward"].search(domain)
        self.assertEqual(loaded & (self.shop_reward | self.checkout_reward), self.checkout_reward)

    def test_a_loyalty_manager_configures_the_shop_and_a_cashier_cannot(self):
        reward = self.checkout_reward.with_user(self.tier_manager)
        reward.write({"points_shop": True, "points_shop_program_id": self.gift_cards.id})
        self.assertIn(self.checkout_reward, self.Redemption._catalogue(self.card))
        with self.assertRaises(ValidationError):
            reward.write({"points_shop_program_id": False})
        with self.assertRaises(ValidationError):
            reward.write({"required_points": 0})
        ewallet = self.env["loyalty.program"].create({"name": "eWallet", "program_type": "ewallet"})
        with self.assertRaises(ValidationError):
            reward.write({"points_shop_program_id": ewallet.id})
        with self.assertRaises(AccessError):
            self.shop_reward.with_user(self.tier_user).write({"required_points": 1})

    def test_the_redemption_history_is_append_only(self):
        redemption = self.redeem()
        for user in (self.tier_manager, self.tier_user):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                redemption.with_user(user).write({"points": 1})
        with self.assertRaises(AccessError):
            self.Redemption.with_user(self.tier_manager).create(
                {"card_id": self.card.id, "reward_id": self.shop_reward.id, "points": 1, "coupon_id": self.card.id}
            )
        with self.assertRaises(UserError):
            redemption.unlink()
        with self.assertRaises(AccessError):
            redemption.with_user(self.tier_manager).write({"coupon_id": self.card.id})

    def test_a_cashier_redeems_for_the_selected_member_at_the_till(self):
        Shop = self.Redemption.with_user(self.tier_user)
        (shop,) = Shop.pos_points_shop(self.holder.id)
        self.assertEqual(
            (shop["card_id"], [reward["id"] for reward in shop["rewards"]]), (self.card.id, self.shop_reward.ids)
        )
        key = str(uuid4())
        result = Shop.pos_redeem(self.card.id, self.shop_reward.id, key)
        self.assertEqual(result["points"], 200)
        self.assertEqual(result["redemption"]["code"], self.issued().code)
        self.assertEqual(self.Redemption.search([("card_id", "=", self.card.id)]).user_id, self.tier_user)
        self.assertEqual(Shop.pos_redeem(self.card.id, self.shop_reward.id, key)["redemption"], result["redemption"])
        with self.assertRefused("not in the points shop"):
            Shop.pos_redeem(self.card.id, self.other_reward.id, str(uuid4()))
        with self.assertRefused("holds 200.0 points"):
            Shop.pos_redeem(self.card.id, self.shop_reward.id, str(uuid4()))
        for forged in ("12", None, [self.card.id]):
            with self.subTest(card=forged), self.assertRaises(UserError):
                Shop.pos_redeem(forged, self.shop_reward.id, str(uuid4()))
        self.assertEqual(self.state(), (200, 1, 1))

    def test_over_json_rpc_the_cashier_redeems_once_and_cannot_reach_another_company(self):
        self.tier_user.password = "shop_cashier_pw"
        self.authenticate(self.tier_user.login, "shop_cashier_pw")
        key = str(uuid4())

        def call(method, *args):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/loyalty.redemption/{method}",
                {"model": "loyalty.redemption", "method": method, "args": list(args), "kwargs": {}},
            )

        first = call("pos_redeem", self.card.id, self.shop_reward.id, key)
        self.assertEqual(call("pos_redeem", self.card.id, self.shop_reward.id, key)["redemption"], first["redemption"])
        self.assertEqual(self.state(), (200, 1, 1))
        other_company = self.setup_other_company()["company"]
        elsewhere = self.env["loyalty.program"].create(
            {"name": "Elsewhere Points", "program_type": "loyalty", "company_id": other_company.id}
        )
        self.env["loyalty.tier"].create({"name": "Elsewhere", "program_id": elsewhere.id})
        foreign = self.env["loyalty.card"].sudo().create({"program_id": elsewhere.id, "partner_id": self.holder.id})
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refusal:
            call("pos_redeem", foreign.id, self.shop_reward.id, str(uuid4()))
        self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            call("write", [first["redemption"]["id"]], {"points": 1})

    def test_only_a_cashier_serving_members_reaches_the_shop(self):
        pos_only = self._create_sv_user("shop_pos_only", "POS Only", ["point_of_sale.group_pos_user"], [])
        for user in (self.plain_user, self.sv_user, pos_only):
            with self.subTest(user=user.name):
                with self.assertRaises(AccessError):
                    self.Redemption.with_user(user).pos_points_shop(self.holder.id)
                with self.assertRaises(AccessError):
                    self.Redemption.with_user(user).pos_redeem(self.card.id, self.shop_reward.id, str(uuid4()))
        with self.assertRaises(AccessError):
            self.Redemption.with_user(self.portal_user).pos_redeem(self.card.id, self.shop_reward.id, str(uuid4()))
        self.assertEqual(self.state(), (500, 0, 0))

    def test_the_portal_member_redeems_from_their_own_card_only(self):
        self.authenticate("shop.member", "shop.member")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["loyalty_points_shop_reward_count"]})
        self.assertEqual(counters["loyalty_points_shop_reward_count"], 1, "the portal home shows the shop")
        page = self.url_open("/my/points-shop").text
        self.assertIn("Gift card of 50", page)
        self.assertNotIn("Other gift card", page)
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)

        def post(card, reward, key=key):
            data = {"card_id": card.id, "reward_id": reward.id, "key": key, "csrf_token": http.Request.csrf_token(self)}
            return self.url_open("/my/points-shop/redeem", data=data)

        with mute_logger("odoo.http"):
            refused = post(self.other_card, self.shop_reward)
            self.assertIn("not one of your membership cards", refused.text)
            self.assertIn("not in the points shop", post(self.card, self.other_reward).text)
            self.assertIn("malformed", post(self.card, self.shop_reward, key="forged").text)
        self.assertEqual(self.state(self.other_card), (1000, 0, 0))
        self.assertEqual(self.state(), (500, 0, 0))
        response = post(self.card, self.shop_reward)
        self.assertIn(self.issued().code, response.text, "the code is shown at once")
        self.assertEqual(post(self.card, self.shop_reward).url, response.url, "sent twice, the same redemption")
        self.assertEqual(self.state(), (200, 1, 1))
        self.assertIn("holds 200.0 points", post(self.card, self.shop_reward, key=str(uuid4())).text)

    def test_a_colleague_on_the_portal_cannot_spend_a_coworkers_points(self):
        company = self.env["res.partner"].create({"name": "Li Na Trading", "is_company": True})
        self.holder.parent_id = company
        colleague = self.env["res.partner"].create({"name": "Zhou Min", "parent_id": company.id})
        self._create_portal_user("shop.colleague", "shop.colleague", partner_id=colleague.id)
        self.authenticate("shop.colleague", "shop.colleague")
        self.assertNotIn("Gift card of 50", self.url_open("/my/points-shop").text)
        data = {
            "card_id": self.card.id,
            "reward_id": self.shop_reward.id,
            "key": str(uuid4()),
            "csrf_token": http.Request.csrf_token(self),
        }
        self.assertIn("not one of your membership cards", self.url_open("/my/points-shop/redeem", data=data).text)
        self.assertEqual(self.state(), (500, 0, 0))

    def test_portal_redemption_tour(self):
        self.start_tour("/my/points-shop", "loyalty_tiers_points_shop_portal", login="shop.member")
        self.assertEqual(self.state(), (200, 1, 1))
        self.assertEqual(self.Redemption.search([("card_id", "=", self.card.id)]).user_id, self.portal_user)


@tagged("post_install", "-at_install")
class TestPointsShopConcurrency(CommittedShopCase):
    """Two redemptions of one member's points at once, each in its own database transaction."""

    @classmethod
    def _set_up_committed_shop(cls, env):
        coupons = env["loyalty.program"].create(
            {"name": "Concurrent Coupons", "program_type": "coupons", "company_id": cls.company_id}
        )
        program = env["loyalty.program"].create(
            {
                "name": "Concurrent Shop Points",
                "program_type": "loyalty",
                "company_id": cls.company_id,
                "reward_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "description": "Coupon for 300 points",
                            "required_points": 300,
                            "points_shop": True,
                            "points_shop_program_id": coupons.id,
                        }
                    ),
                ],
            }
        )
        env["loyalty.tier"].create({"name": "Shop Member", "program_id": program.id})
        cls.program_id, cls.reward_id = program.id, program.reward_ids.id

    def _member(self, points):
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrent Shopper"})
            return (
                env["loyalty.card"]
                .create({"program_id": self.program_id, "partner_id": partner.id, "points": points})
                .id
            )

    def _redeem(self, card_id, key):
        """A portal redemption, in Odoo's retry loop as an HTTP request runs."""
        try:
            with self.committed_env() as env:

                def redeem():
                    card, reward = env["loyalty.card"].browse(card_id), env["loyalty.reward"].browse(self.reward_id)
                    return env["loyalty.redemption"]._redeem(card, reward, key, "portal").id

                return retrying(redeem, env)
        except UserError as error:
            return str(error)

    def _state(self, card_id):
        with self.committed_env() as env:
            card = env["loyalty.card"].browse(card_id)
            redemptions = env["loyalty.redemption"].search([("card_id", "=", card_id)])
            remaining = sum(card.point_batch_ids.filtered(lambda batch: batch.state == "open").mapped("remaining"))
            return card.points, remaining, len(redemptions), len(redemptions.coupon_id)

    def test_two_redemptions_at_once_never_overdraw_the_points(self):
        card_id = self._member(400.0)
        results = self.race(
            self._redeem, (card_id, str(uuid4())), (card_id, str(uuid4())), hold=(LoyaltyCard, "_redeem_points")
        )
        self.assertEqual(sorted(type(result).__name__ for result in results), ["int", "str"], results)
        self.assertIn(
            "holds 100.0 points; 300.0 are needed", next(result for result in results if isinstance(result, str))
        )
        self.assertEqual(self._state(card_id), (100.0, 100.0, 1, 1))

    def test_the_same_request_twice_at_once_redeems_once(self):
        card_id = self._member(700.0)
        key = str(uuid4())
        results = self.race(self._redeem, (card_id, key), (card_id, key), hold=(LoyaltyCard, "_redeem_points"))
        self.assertEqual(results[0], results[1], "both answers are the one redemption")
        self.assertEqual(self._state(card_id), (400.0, 400.0, 1, 1))


@tagged("post_install", "-at_install")
class TestPointsShopPosTour(StoredValuePosTourCase):
    """A cashier serving members opens the points shop of the selected member and redeems for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("loyalty_tiers.group_loyalty_tier_manager")
        cls.pos_user.group_ids += cls.env.ref("loyalty_tiers.group_loyalty_tier_user")
        company = cls.main_pos_config.company_id
        cls.coupons = cls.env["loyalty.program"].create(
            {"name": "Shop Coupons", "program_type": "coupons", "company_id": company.id}
        )
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Member Points",
                "program_type": "loyalty",
                "company_id": company.id,
                "pos_ok": True,
                "reward_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "description": "Free haircut coupon",
                            "required_points": 1000,
                            "points_shop": True,
                            "points_shop_program_id": cls.coupons.id,
                        }
                    ),
                ],
            }
        )
        tier = cls.env["loyalty.tier"].create({"name": "Member", "program_id": cls.program.id})
        cls.member = cls.env["res.partner"].create({"name": "AAA Points Shopper"})
        cls.card = (
            cls.env["loyalty.card"]
            .sudo()
            .create({"program_id": cls.program.id, "partner_id": cls.member.id, "points": 1500})
        )
        cls.card._update_tiers()
        assert cls.card.tier_id == tier

    def test_cashier_redeems_for_the_member(self):
        self.start_pos_tour("loyalty_tiers_points_shop_pos")
        redemption = self.env["loyalty.redemption"].search([("card_id", "=", self.card.id)])
        self.assertEqual((redemption.channel, redemption.user_id, redemption.points), ("pos", self.pos_user, 1000))
        self.assertEqual(
            (redemption.coupon_id.partner_id, redemption.coupon_id.program_id), (self.member, self.coupons)
        )
        self.assertEqual(self.card.points, 500)
