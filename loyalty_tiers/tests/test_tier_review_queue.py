from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestTierReviewQueue(LoyaltyTiersPosCommon):
    """A point of sale order leaves its member's tier review to the receipt and to the job, none missed or twice."""

    def setUp(self):
        super().setUp()
        self.card = self._member()
        self.status_fields = ["loyalty_tier_id", "loyalty_points", "loyalty_next_tier_id"]

    def gold_order(self):
        return self.sync(self.member_order(84), user=self.pos_cashier)  # 5,040 spent: Gold's threshold

    def test_the_receipt_shows_the_tier_the_purchase_reached(self):
        self.gold_order()
        self.assertTrue(self.card.tier_review_due)
        self.assertNotEqual(self.card.tier_id, self.gold, "the sync itself does not review the tier")
        Partner = self.env["res.partner"].with_user(self.pos_cashier)
        [status] = Partner.loyalty_pos_member_status([self.holder.id], self.status_fields)
        self.assertEqual(status["loyalty_tier_id"], self.gold.id)
        self.assertFalse(self.card.tier_review_due)
        history = self.card.tier_history_ids
        self.assertEqual(history.mapped("new_tier_id"), self.gold)
        # The terminal asks again (a second receipt), the job runs: nobody is reviewed twice.
        Partner.loyalty_pos_member_status([self.holder.id], self.status_fields)
        with self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_review_due_tiers()
        self.assertEqual(self.card.tier_history_ids, history)

    def test_the_job_reviews_the_members_no_terminal_asked_for(self):
        other = self.env["res.partner"].create({"name": "Chen Jing"})
        other_card = self._member(other)
        self.gold_order()
        self.sync(self.member_order(5, customer=other), user=self.pos_cashier)  # 300: still Regular
        self.assertEqual((self.card | other_card).mapped("tier_review_due"), [True, True])
        with self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_review_due_tiers()
        self.assertEqual(self.card.tier_id, self.gold)
        self.assertEqual(other_card.tier_id, self.regular)
        self.assertFalse(any((self.card | other_card).mapped("tier_review_due")))

    def test_card_top_ups_sold_with_a_purchase_are_not_spend(self):
        wallet = self.env["stored.value.card"].search([("partner_id", "=", self.holder.id)], limit=1)
        data = self.create_ui_order_data(
            [{"product": self.haircut, "quantity": 20}, self.top_up_line(4000.0, card=wallet)], customer=self.holder
        )
        [order] = self.sync(data, user=self.pos_cashier)
        self.assertEqual((order.amount_total, order.stored_value_top_up_amount), (5200.0, 4000.0))
        self.env["loyalty.card"]._review_due_tiers()
        self.assertEqual(self.card.tier_id, self.silver, "1,200 bought (and 4,000 topped up): Silver, not Gold")
        self.env["res.partner"]._compute_rfm_batch(self.company, self.today, 100)
        self.assertEqual(self.holder.rfm_amount, 1200.0)

    def test_a_return_has_its_member_reviewed_too(self):
        [order] = self.gold_order()
        self.env["loyalty.card"]._review_due_tiers()
        self.sync(self.return_order(order, 84), user=self.pos_cashier)
        self.assertTrue(self.card.tier_review_due)

    def test_the_cashier_cannot_mark_or_clear_a_review(self):
        self.gold_order()
        for user in (self.pos_cashier, self.tier_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.card.with_user(user).write({"tier_review_due": False})

    def test_malformed_status_requests_are_refused(self):
        Partner = self.env["res.partner"].with_user(self.pos_cashier)
        for partner_ids, field_names in (
            (self.holder.id, self.status_fields),
            (["1"], self.status_fields),
            ([self.holder.id], "loyalty_tier_id"),
            ([self.holder.id], [None]),
        ):
            with self.subTest(partner_ids=partner_ids, field_names=field_names), self.assertRaises(UserError):
                Partner.loyalty_pos_member_status(partner_ids, field_names)
