from collections import defaultdict

from odoo import models
from odoo.tools import float_round

from .loyalty_card import POINT_DIGITS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        """Book the points of each order as the server counts them (tier multipliers, batches), once.

        The member cards are locked before ``sale_loyalty`` recounts the order and adds the points, so
        that it adds to what a concurrent order left; rewards taken for less than they cost are refused
        afterwards, which rolls the confirmation back.
        """
        result = True
        for order in self:
            if order.state == "sale":
                result = super(SaleOrder, order).action_confirm()
                continue
            order._loyalty_cards()._lock_points()
            # sale_loyalty's recount is the server's own: its code may book the points it counted (as the
            # salesperson, on their cards).
            result = super(
                SaleOrder,
                self.env["loyalty.card"]
                ._with_points_door(order)
                .with_context(
                    loyalty_points_source=order._loyalty_points_source(),
                    loyalty_points_order=(order._name, order.id),
                    loyalty_points_description=self.env._("Sales order %(order)s", order=order.name),
                ),
            ).action_confirm()
            order._check_loyalty_reward_costs()
            self.env["loyalty.card"]._member_cards(order.partner_id, order.company_id)._update_tiers()
        return result if len(self) == 1 else True

    def _get_claimable_rewards(self, forced_coupons=None):
        """Member-only offers are claimable by members of their tiers only; a reward of the points shop is
        exchanged for a code in the shop, never taken on an order."""
        result = super()._get_claimable_rewards(forced_coupons=forced_coupons)
        partner = self.partner_id
        for coupon, rewards in list(result.items()):
            allowed = rewards.filtered(lambda reward: not reward.points_shop and reward._tier_allows(partner))
            if allowed:
                result[coupon] = allowed
            else:
                del result[coupon]
        return result

    def _action_cancel(self):
        """Points a confirmed order earned are taken back from the batch it earned them in, and points it
        spent come back in a batch of their own, once."""
        result = True
        for order in self:
            # Taking back what the order booked is the posting code's; Odoo's cancel writes the points.
            result = super(
                SaleOrder,
                self.env["loyalty.card"]
                ._with_points_door(order)
                .with_context(
                    loyalty_points_source=order._loyalty_points_source(),
                    loyalty_points_reversed_source=f"{order._name},{order.id}",
                    loyalty_points_description=self.env._("Sales order %(order)s cancelled", order=order.name),
                ),
            )._action_cancel()
        return result

    def _loyalty_points_source(self):
        """Source of the points the order books now: the order and how many batches it booked before.

        An order confirmed again after a cancellation books anew, while two confirmations at once
        clash on the batches' unique key.
        """
        self.ensure_one()
        prefix = f"{self._name},{self.id}"
        booked = self.env["loyalty.point.batch"].sudo().search_count([("source_key", "=like", f"{prefix}/%")])
        return f"{prefix}/{booked}"

    def _program_check_compute_points(self, programs):
        """Points of loyalty programmes are multiplied by the member's tier and birthday multipliers."""
        result = super()._program_check_compute_points(programs)
        date = self.date_order.date()
        for program, status in result.items():
            if program.program_type != "loyalty" or not status.get("points"):
                continue
            card = (
                self.env["loyalty.card"]
                ._member_cards(self.partner_id)
                .filtered(lambda card, program=program: card.program_id == program)[:1]
            )
            multiplier = program._point_multiplier(card.tier_id, self.partner_id, date)
            status["points"] = [
                float_round(points * multiplier, precision_digits=POINT_DIGITS, rounding_method="DOWN")
                for points in status["points"]
            ]
        return result

    def _loyalty_cards(self):
        """The member cards of loyalty programmes the order earns on or spends from."""
        self.ensure_one()
        entries = self.coupon_point_ids.filtered(lambda entry: entry.coupon_id.program_id.program_type == "loyalty")
        reward_lines = self.order_line.filtered(
            lambda line: line.is_reward_line and line.coupon_id.program_id.program_type == "loyalty"
        )
        return (entries.coupon_id | reward_lines.coupon_id).sudo()

    def _check_loyalty_reward_costs(self):
        """Refuse the order's loyalty rewards taken for less than they cost (a reward split on several
        lines carries its cost on one of them)."""
        self.ensure_one()
        costs = defaultdict(float)
        for line in self.order_line.filtered(
            lambda line: line.is_reward_line and line.coupon_id.program_id.program_type == "loyalty"
        ):
            costs[line.coupon_id, line.reward_id, line.reward_identifier_code] += line.points_cost
        self.env["loyalty.card"]._check_reward_costs(
            self.name, [(reward, cost) for (_card, reward, _code), cost in costs.items()]
        )
