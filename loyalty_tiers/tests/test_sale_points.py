from datetime import timedelta

from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestSalePoints(LoyaltyTiersCommon):
    """Points earned and spent on sales orders are counted by the server, with the tier multiplier, in batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.product = cls.env["product.product"].create({"name": "Massage", "list_price": 100, "taxes_id": False})
        cls.reward = cls.program.reward_ids

    def gold_member(self, points=0.0):
        card = self._member(points=points)
        card.sudo().write({"earned_tier_id": self.gold.id, "tier_review_date": self.today + timedelta(days=90)})
        return card

    def sale_order(self, quantity=3):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.holder.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": quantity})],
            }
        )
        order._update_programs_and_rewards()
        return order

    def test_points_are_multiplied_by_the_tier_and_booked_in_a_batch(self):
        card = self.gold_member()
        order = self.sale_order()
        self.assertEqual(order.coupon_point_ids.points, 600.0, "300 spent, doubled by Gold")
        order.action_confirm()
        self.assertEqual(card.points, 600.0)
        batch = self.batches(card)
        self.assertEqual((batch.points, batch.source_key), (600.0, f"sale.order,{order.id}/0/card/{card.id}"))

    def test_inflated_points_are_replaced_by_the_servers_count(self):
        card = self.gold_member()
        order = self.sale_order()
        order.coupon_point_ids.sudo().points = 5000.0
        order.action_confirm()
        self.assertEqual(card.points, 600.0, "the order is recounted before its points are booked")
        self.assertEqual(self.batches(card).points, 600.0)

    def test_reward_taken_for_less_than_its_cost_is_charged_its_cost(self):
        card = self.gold_member(points=150.0)
        order = self.sale_order(quantity=1)
        order._apply_program_reward(self.reward, card)
        order.order_line.filtered("is_reward_line").points_cost = 1.0
        order.action_confirm()
        self.assertEqual(order.order_line.filtered("is_reward_line").points_cost, 100.0, "recounted on confirmation")
        earned = sum(order.coupon_point_ids.filtered(lambda entry: entry.coupon_id == card).mapped("points"))
        self.assertEqual(card.points, 150.0 + earned - 100.0)

    def test_spent_points_come_from_the_oldest_batch(self):
        card = self.gold_member(points=150.0)
        order = self.sale_order(quantity=1)
        order._apply_program_reward(self.reward, card)
        order.action_confirm()
        # 150 - 100 spent + 100 × 2: as sale_loyalty counts, a programme's own discount does not lower its points.
        self.assertEqual(card.points, 250.0)
        opening, earned = self.batches(card)
        self.assertEqual((opening.remaining, opening.state), (50.0, "open"))
        self.assertEqual((earned.points, earned.remaining), (200.0, 200.0))

    def test_cancelling_takes_back_the_points_the_order_earned(self):
        card = self.gold_member(points=150.0)
        order = self.sale_order()
        order.action_confirm()
        self.assertEqual(card.points, 750.0)
        order._action_cancel()
        self.assertEqual(card.points, 150.0)
        opening, earned = self.batches(card)
        self.assertEqual((opening.remaining, opening.state), (150.0, "open"), "the older points are kept")
        self.assertEqual((earned.remaining, earned.state), (0.0, "used"))

    def test_an_order_confirmed_again_after_a_cancellation_books_anew(self):
        card = self.gold_member()
        order = self.sale_order()
        order.action_confirm()
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(card.points, 600.0)
        self.assertEqual(self.batches(card).mapped("remaining"), [0.0, 600.0])
