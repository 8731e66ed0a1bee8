from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestPointsVerification(LoyaltyTiersCommon):
    """The POS proposes the points of an order; the server counts them itself and books its own figure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("point_of_sale.group_pos_manager")
        cls.pos_config = cls.env["pos.config"].create({"name": "Front Desk", "company_id": cls.company.id})
        cls.session = cls.env["pos.session"].create({"config_id": cls.pos_config.id, "user_id": cls.tier_user.id})
        cls.product = cls.env["product.product"].create(
            {"name": "Haircut", "list_price": 100, "available_in_pos": True, "taxes_id": False}
        )
        cls.reward = cls.program.reward_ids

    def pos_order(self, amount=300.0, reward_cost=None):
        lines = [
            Command.create(
                {
                    "product_id": self.product.id,
                    "qty": amount / 100,
                    "price_unit": 100,
                    "price_subtotal": amount,
                    "price_subtotal_incl": amount,
                }
            )
        ]
        if reward_cost is not None:
            lines.append(
                Command.create(
                    {
                        "product_id": self.reward.discount_line_product_id.id,
                        "qty": 1,
                        "price_unit": -10,
                        "price_subtotal": -10,
                        "price_subtotal_incl": -10,
                        "is_reward_line": True,
                        "reward_id": self.reward.id,
                        "points_cost": reward_cost,
                    }
                )
            )
        return self.env["pos.order"].create(
            {
                "session_id": self.session.id,
                "partner_id": self.holder.id,
                "amount_tax": 0,
                "amount_total": amount,
                "amount_paid": amount,
                "amount_return": 0,
                "lines": lines,
            }
        )

    def confirm(self, order, card, earned, spent=0.0):
        """What the POS sends after an order: its own idea of the points won and spent."""
        data = {
            str(card.id): {
                "points": earned - spent,
                "points_earned": earned,
                "points_spent": spent,
                "program_id": self.program.id,
                "coupon_id": card.id,
                "barcode": False,
            }
        }
        return order.with_user(self.tier_user).confirm_coupon_programs(data)

    def test_points_inflated_by_the_client_are_refused(self):
        card = self._member()
        order = self.pos_order(300)
        with self.assertRaisesRegex(UserError, "claims 5000 points .* but it earns 300"), self.env.cr.savepoint():
            self.confirm(order, card, 5000)
        self.assertEqual(card.points, 0)
        self.assertFalse(card.history_ids)
        self.assertFalse(self.batches(card))

    def test_server_books_its_own_count_with_the_tier_multiplier(self):
        card = self._member()
        self.spend(1200)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.silver)
        result = self.confirm(self.pos_order(300), card, 300)
        self.assertEqual(card.points, 450, "Silver earns 1.5 points per unit: the server adds what the POS left out")
        self.assertEqual(result["coupon_updates"][0]["points"], 450, "the POS is told the real balance")
        self.assertEqual(self.batches(card).points, 450)
        self.assertEqual(card.history_ids.issued, 450)

    def test_replay_books_once_and_returns_the_balance(self):
        card = self._member()
        order = self.pos_order(300)
        first = self.confirm(order, card, 300)
        again = self.confirm(order, card, 300)
        self.assertEqual(card.points, 300)
        self.assertEqual(len(self.batches(card)), 1)
        self.assertEqual(first["coupon_updates"], again["coupon_updates"])

    def test_spending_more_points_than_the_card_holds_is_refused(self):
        card = self._member(points=50)
        order = self.pos_order(20, reward_cost=100)
        with self.assertRaisesRegex(UserError, "spends 100.0 points of card"), self.env.cr.savepoint():
            self.confirm(order, card, 0, spent=100)
        self.assertEqual(card.points, 50)

    def test_a_reward_cheaper_than_its_points_is_refused(self):
        card = self._member(points=500)
        order = self.pos_order(100, reward_cost=1)
        with self.assertRaisesRegex(UserError, "costs 100.0"), self.env.cr.savepoint():
            self.confirm(order, card, 100, spent=1)
        self.assertEqual(card.points, 500)

    def test_spent_points_come_from_the_oldest_batch(self):
        card = self._member(points=150)
        self.confirm(self.pos_order(200, reward_cost=100), card, 200, spent=100)
        self.assertEqual(card.points, 250, "150 held + 200 earned - 100 spent")
        opening, earned = self.batches(card)
        self.assertEqual((opening.remaining, earned.remaining), (50, 200))
