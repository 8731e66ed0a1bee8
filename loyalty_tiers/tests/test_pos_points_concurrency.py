from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.stored_value_crm.tests.common import CommittedShopCase

from ..models.loyalty_card import LoyaltyCard


@tagged("post_install", "-at_install")
class TestPosPointsConcurrency(CommittedShopCase):
    """Two POS sessions booking the points of one member at once, each in its own database transaction."""

    @classmethod
    def _set_up_committed_shop(cls, env):
        program = env["loyalty.program"].create(
            {
                "name": "Concurrent Points",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": cls.company_id,
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0}),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create({"reward_type": "discount", "discount": 10, "required_points": 100}),
                ],
            }
        )
        env["loyalty.tier"].create({"name": "Member", "program_id": program.id})
        cls.program_id, cls.reward_id = program.id, program.reward_ids.id
        cls.reward_product_id = program.reward_ids.discount_line_product_id.id

    def _member(self, points):
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Concurrent Member"})
            card = env["loyalty.card"].create(
                {"program_id": self.program_id, "partner_id": partner.id, "points": points}
            )
            return card.id, partner.id

    def _order(self, session_id, card_id, partner_id, spend=False):
        """An order of 70 paid in cash: it earns 70 points and, with ``spend``, takes a 10 discount for 100."""
        lines = [{"product_id": self.product_id, "qty": 1, "price_unit": 70.0}]
        lines[0].update(price_subtotal=70.0, price_subtotal_incl=70.0)
        if spend:
            lines.append(
                {
                    "product_id": self.reward_product_id,
                    "qty": 1,
                    "price_unit": -10.0,
                    "price_subtotal": -10.0,
                    "price_subtotal_incl": -10.0,
                    "is_reward_line": True,
                    "reward_id": self.reward_id,
                    "coupon_id": card_id,
                    "points_cost": 100.0,
                    "reward_identifier_code": "reward",
                }
            )
        total = 60.0 if spend else 70.0
        return self.order_data(
            session_id, lines, [{"amount": total, "payment_method_id": self.cash_id}], partner_id=partner_id
        )

    def _sync(self, order):
        """The terminal's sync of a paid order, which books its points, in Odoo's retry loop."""
        try:
            with self.committed_env(self.cashier_id) as env:
                return retrying(lambda: env["pos.order"].sync_from_ui([dict(order)]), env)["pos.order"][-1]["id"]
        except (UserError, ValidationError) as error:
            return str(error)

    def _race(self, first, second):
        """The first terminal holds the card's lock after booking while the second one syncs."""
        return self.race(self._sync, (first,), (second,), hold=(LoyaltyCard, "_book_order_points"))

    def _card_state(self, card_id):
        """Points of the card, points left in its batches, number of batches and of history lines."""
        with self.committed_env() as env:
            env.cr.execute(
                SQL(
                    """SELECT card.points,
                              (SELECT SUM(remaining) FROM loyalty_point_batch WHERE card_id = card.id),
                              (SELECT COUNT(*) FROM loyalty_point_batch WHERE card_id = card.id),
                              (SELECT COUNT(*) FROM loyalty_history WHERE card_id = card.id)
                         FROM loyalty_card card WHERE card.id = %s""",
                    card_id,
                )
            )
            points, remaining, batches, history = env.cr.fetchone()
            return float(points), float(remaining or 0.0), batches, history

    def test_two_sessions_crediting_one_card_at_once_book_both(self):
        card_id, partner_id = self._member(0.0)
        first = self._order(self.session_ids[0], card_id, partner_id)
        second = self._order(self.session_ids[1], card_id, partner_id)
        results = self._race(first, second)
        self.assertTrue(all(isinstance(result, int) for result in results), results)
        self.assertEqual(self._card_state(card_id), (140.0, 140.0, 2, 2), "no earning lost, none booked twice")

    def test_two_sessions_spending_one_card_at_once_never_overspend_it(self):
        card_id, partner_id = self._member(50.0)
        first = self._order(self.session_ids[0], card_id, partner_id, spend=True)
        second = self._order(self.session_ids[1], card_id, partner_id, spend=True)
        results = self._race(first, second)
        self.assertTrue(all(isinstance(result, int) for result in results), "both paid orders are kept")
        # 50 + 70 - 100 = 20; the second order's 70 + 20 held pay 90 of its 100: 10 flagged, never overdrawn.
        self.assertEqual(self._card_state(card_id), (0.0, 0.0, 3, 2), "the opening batch and one per order")
        with self.committed_env() as env:
            flagged = env["pos.order"].browse(results).filtered("stored_value_review")
            self.assertEqual(len(flagged), 1)
