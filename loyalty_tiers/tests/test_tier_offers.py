from datetime import timedelta

from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestTierOffers(LoyaltyTiersPosCommon):
    """Member-only offers: rewards restricted to tiers reach members of those tiers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.reward.with_user(cls.tier_manager).tier_ids = cls.gold
        cls.product = cls.env["product.product"].create({"name": "Massage", "list_price": 100, "taxes_id": False})

    def member(self, tier, points=200.0):
        card = self._member(points=points)
        card.sudo()._posting().write({"earned_tier_id": tier.id, "tier_review_date": self.today + timedelta(days=90)})
        return card

    def claimable(self, card):
        order = self.env["sale.order"].create(
            {"partner_id": self.holder.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        order._update_programs_and_rewards()
        return order._get_claimable_rewards().get(card, self.env["loyalty.reward"])

    def test_sales_offer_a_gold_reward_to_gold_members_only(self):
        card = self.member(self.silver)
        self.assertFalse(self.claimable(card), "a Silver member cannot take the Gold offer")
        card.sudo()._posting().write({"earned_tier_id": self.gold.id})
        self.assertEqual(self.claimable(card), self.reward)

    def test_the_portal_lists_the_offers_of_the_members_tier(self):
        self.assertEqual(self.member(self.gold)._tier_offers(), self.reward)
        self.reward.tier_ids = self.silver
        self.assertFalse(self.member(self.gold)._tier_offers(), "Silver's offers are not Gold's")

    def test_a_pos_order_giving_a_gold_offer_to_someone_else_is_flagged(self):
        card = self.member(self.regular)
        order = self.sync(self.member_order(2, card=card, reward_cost=100), user=self.pos_cashier)
        self.assertEqual(order.state, "paid", "the customer paid: the order is kept")
        self.assertTrue(order.stored_value_review)
        self.assertIn("Gold members only", order.message_ids[:1].body)

    def test_a_gold_member_takes_the_gold_offer_at_the_pos(self):
        card = self.member(self.gold)
        order = self.sync(self.member_order(2, card=card, reward_cost=100), user=self.pos_cashier)
        self.assertFalse(order.stored_value_review)
        self.assertPointsAgree(card)
