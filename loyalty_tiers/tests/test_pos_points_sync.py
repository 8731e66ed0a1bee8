from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestPosPointsSync(LoyaltyTiersPosCommon):
    """Points follow the order on the server: booked at its sync, taken back by its return."""

    def member_card(self):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", self.holder.id), ("program_id", "=", self.program.id)]
        )

    def test_a_terminal_that_never_makes_its_second_call_still_books_the_points_once(self):
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        card = self.member_card()
        self.assertEqual(card.points, 300, "5 haircuts of 60, one point per unit, booked at the sync alone")
        self.assertEqual(self.batches(card).source_key, f"pos.order,{order.id}/card/{card.id}")
        self.assertEqual(card.history_ids.issued, 300)
        self.assertPointsAgree(card)

    def test_a_card_top_up_earns_no_points_and_is_no_purchase(self):
        lines = [{"product": self.haircut, "quantity": 2}, self.top_up_line(500.0)]
        order = self.sync(self.card_order(lines, [(self.cash_method, 620.0)]), user=self.pos_cashier)
        self.assertEqual(self.card.principal_balance, 500.0)
        card = self.member_card()
        self.assertEqual(card.points, 120, "two haircuts earn 120; the 500 put on the card earn nothing")
        with self.assertRaises(UserError):
            self.confirm_claim(order, card, 620)  # what the terminal would claim if it counted the top-up
        self.confirm_claim(order, card, 120)
        measures = card._tier_measures(12, fields.Date.context_today(card))[card.id]
        self.assertEqual((measures["spend"], measures["topup"]), (120.0, 500.0), "the top-up counts once, as one")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT amount FROM (%s) purchases WHERE partner_id = %s",
                self.env["res.partner"]._loyalty_purchases_sql(self.company),
                self.holder.id,
            )
        )
        self.assertEqual([amount for (amount,) in self.env.cr.fetchall()], [120.0], "what the member bought")

    def test_the_second_call_confirms_and_books_nothing_more(self):
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        card = self.member_card()
        result = self.confirm_claim(order, card, 300)
        again = self.confirm_claim(order, card, 300)
        self.assertEqual(card.points, 300)
        self.assertEqual(len(self.batches(card)), 1)
        self.assertEqual(result["coupon_updates"][0]["points"], 300, "the terminal is told the booked balance")
        self.assertEqual(result["coupon_updates"], again["coupon_updates"])

    def test_an_order_synced_hours_later_and_replayed_books_once(self):
        data = self.member_order(2)
        data["date_order"] = fields.Datetime.to_string(fields.Datetime.now() - timedelta(hours=5))
        first = self.sync(data, user=self.pos_cashier)
        second = self.sync(dict(data), user=self.pos_cashier)
        self.assertEqual(first, second)
        self.assertEqual(self.member_card().points, 120)
        self.assertEqual(len(self.batches(self.member_card())), 1)

    def test_the_server_counts_the_tier_multiplier_and_refuses_inflated_claims(self):
        card = self._member()
        self.spend(1200)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.silver)
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        self.assertEqual(card.points, 450, "Silver earns 1.5 points per unit")
        with self.assertRaisesRegex(UserError, "claims 5000 points .* but it earns 450"), self.env.cr.savepoint():
            self.confirm_claim(order, card, 5000)
        self.assertEqual(card.points, 450)
        self.assertEqual(len(self.batches(card)), 1)

    def test_a_tier_multiplying_below_one_accepts_the_terminals_count_and_no_more(self):
        self.regular.point_multiplier = 0.5
        card = self._member()
        card._update_tiers()
        self.assertEqual(card.tier_id, self.regular)
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        self.assertEqual(card.points, 150, "half a point per unit of the 300 the haircuts earn")
        # The terminal counts without the multiplier: its 300 is more than the server booked, and honest.
        self.confirm_claim(order, card, 300)
        with self.assertRaisesRegex(UserError, "claims 301 points .* the server booked 150"), self.env.cr.savepoint():
            self.confirm_claim(order, card, 301)
        self.assertEqual(card.points, 150)
        self.assertEqual(len(self.batches(card)), 1)
        self.assertPointsAgree(card)

    def test_spent_points_come_from_the_oldest_batch(self):
        card = self._member(points=150)
        self.sync(self.member_order(2, card=card, reward_cost=100), user=self.pos_cashier)
        self.assertEqual(card.points, 170, "150 held + 120 earned (its own discount does not count) - 100 spent")
        opening, earned = self.batches(card)
        self.assertEqual((opening.remaining, earned.remaining), (50, 120))
        self.assertPointsAgree(card)

    def test_a_returned_order_takes_its_points_back(self):
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        card = self.member_card()
        self.sync(self.return_order(order, 2), user=self.pos_cashier)
        self.assertEqual(card.points, 180, "3 haircuts kept earn 180")
        self.assertEqual(self.batches(card).remaining, 180, "taken from the batch the order earned")
        self.sync(self.return_order(order, 3), user=self.pos_cashier)
        self.assertEqual(card.points, 0)
        self.assertPointsAgree(card)

    def test_returned_points_already_spent_are_flagged_for_a_manager(self):
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        card = self.member_card()
        self.sync(self.member_order(1, card=card, reward_cost=300), user=self.pos_cashier)
        self.assertEqual(card.points, 60, "300 + 60 earned - 300 spent")
        refund = self.sync(self.return_order(order, 5), user=self.pos_cashier)[-1:]  # after the returned order
        self.assertEqual(card.points, 0, "never below what is left")
        self.assertTrue(refund.stored_value_review)
        self.assertIn("240", self.holder.activity_ids.note, "the points that could not be taken back")
        self.assertPointsAgree(card)

    def test_returned_points_go_negative_where_the_company_allows_it(self):
        self.company.loyalty_negative_points = True
        order = self.sync(self.member_order(5), user=self.pos_cashier)
        card = self.member_card()
        self.sync(self.member_order(1, card=card, reward_cost=300), user=self.pos_cashier)
        refund = self.sync(self.return_order(order, 5), user=self.pos_cashier)[-1:]  # after the returned order
        self.assertEqual(card.points, -240)
        self.assertFalse(refund.stored_value_review)
        self.sync(self.member_order(5), user=self.pos_cashier)
        self.assertEqual(card.points, 60, "later earnings pay the debt first")
        self.assertPointsAgree(card)

    def test_an_order_spending_points_the_card_no_longer_holds_is_kept_and_flagged(self):
        card = self._member(points=50)
        order = self.sync(self.member_order(1, card=card, reward_cost=200), user=self.pos_cashier)
        self.assertEqual(order.state, "paid", "the customer paid: the order is kept")
        self.assertEqual(card.points, 0)
        self.assertTrue(order.stored_value_review)
        self.assertPointsAgree(card)
