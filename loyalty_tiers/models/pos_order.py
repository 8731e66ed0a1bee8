from odoo import models
from odoo.tools import float_round

from .loyalty_card import POINT_DIGITS


class PosOrder(models.Model):
    _inherit = "pos.order"

    def action_pos_order_paid(self):
        result = super().action_pos_order_paid()
        # A member moves up as soon as a purchase takes them over a threshold.
        for order in self.filtered("partner_id"):
            self.env["loyalty.card"]._member_cards(order.partner_id, order.company_id)._update_tiers()
        return result

    def confirm_coupon_programs(self, coupon_data):
        """Book the points of the order's loyalty cards as the server counts them, never as the POS says.

        The POS's figures are checked under the cards' lock: points earned beyond the server's count
        (rules, tier and birthday multipliers) or spent beyond the card's balance are refused.
        """
        self.ensure_one()
        coupon_data = {int(key): values for key, values in coupon_data.items()}
        earned, replayed = self._verify_loyalty_points(coupon_data)
        order = self.with_context(
            loyalty_points_source=f"pos.order,{self.id}",
            loyalty_points_earned=tuple(earned.items()),
            loyalty_points_description=self.env._("POS order %(order)s", order=self.name),
        )
        result = super(PosOrder, order).confirm_coupon_programs(coupon_data)
        # A replay books nothing and answers what the first call did: the cards' points now.
        result["coupon_updates"] += [
            {
                "old_id": key,
                "id": card.id,
                "points": card.points,
                "code": card.code,
                "program_id": card.program_id.id,
                "partner_id": card.partner_id.id,
            }
            for key, card in replayed.items()
        ]
        self.env["loyalty.card"]._member_cards(self.partner_id, self.company_id)._update_tiers()
        return result

    def _loyalty_base_points(self, program):
        """Points the order's lines earn in ``program`` by its rules, before any multiplier."""
        self.ensure_one()
        lines = self.lines.filtered(lambda line: not line.is_reward_line)
        products_per_rule = program._get_valid_products(lines.product_id)
        points = 0.0
        for rule in program.rule_ids.filtered(lambda rule: rule.active and rule.mode == "auto"):
            rule_products = products_per_rule.get(rule, lines.product_id.browse())
            rule_lines = lines.filtered(lambda line, products=rule_products: line.product_id in products)
            quantity = sum(rule_lines.mapped("qty"))
            amount_incl = sum(rule_lines.mapped("price_subtotal_incl"))
            amount = amount_incl if rule.minimum_amount_tax_mode == "incl" else sum(rule_lines.mapped("price_subtotal"))
            if not rule_lines or quantity < rule.minimum_qty or amount < rule._compute_amount(self.currency_id):
                continue
            if rule.reward_point_mode == "order":
                points += rule.reward_point_amount
            elif rule.reward_point_mode == "unit":
                points += rule.reward_point_amount * quantity
            else:
                # Discounts of other programmes lower what was paid, as Odoo counts it for sales.
                discounts = self.lines.filtered(
                    lambda line, products=rule_products: (
                        line.is_reward_line
                        and line.product_id in products
                        and line.reward_id.program_id != program
                        and line.reward_id.program_id.program_type not in ("ewallet", "gift_card")
                    )
                )
                paid = amount_incl + sum(discounts.mapped("price_subtotal_incl"))
                points += float_round(rule.reward_point_amount * paid, precision_digits=2, rounding_method="DOWN")
        return max(points, 0.0)

    def _verify_loyalty_points(self, coupon_data):
        """Check the POS's point changes of loyalty programmes and put the server's in their place.

        Returns ``{programme id: points earned}`` and ``{key: card}`` of the entries the order already
        booked (a replay), which the standard code skips.
        """
        self.ensure_one()
        Card = self.env["loyalty.card"].sudo()
        earned_by_program, replayed = {}, {}
        for key, values in coupon_data.items():
            program = self.env["loyalty.program"].sudo().browse(values.get("program_id")).exists()
            if program.program_type != "loyalty":
                continue
            booked = (
                self.env["loyalty.history"]
                .sudo()
                .search(
                    [
                        ("card_id.program_id", "=", program.id),
                        ("order_model", "=", self._name),
                        ("order_id", "=", self.id),
                    ],
                    limit=1,
                )
            )
            if booked:
                replayed[key] = booked.card_id
                continue
            partner = self.env["res.partner"].browse(values.get("partner_id") or self.partner_id.id)
            card = Card.browse(key) if key > 0 else Card
            if not card and partner:
                card = Card.search([("partner_id", "=", partner.id), ("program_id", "=", program.id)], limit=1)
            card._lock_points()
            tier = card.tier_id
            multiplier = program._point_multiplier(tier, card.partner_id or partner, self.date_order.date())
            earned = float_round(
                self._loyalty_base_points(program) * multiplier, precision_digits=POINT_DIGITS, rounding_method="DOWN"
            )
            claimed = values.get("points_earned", max(values.get("points", 0.0), 0.0))
            spent = self._loyalty_points_spent(program)
            card._check_order_points(self.name, program, claimed, earned, spent)
            values.update(points=earned - spent, points_earned=earned, points_spent=spent)
            earned_by_program[program.id] = earned
        return earned_by_program, replayed

    def _loyalty_points_spent(self, program):
        """Points the order's rewards of ``program`` cost; a reward cheaper than it should be is refused."""
        reward_lines = self.lines.filtered(lambda line: line.is_reward_line and line.reward_id.program_id == program)
        self.env["loyalty.card"]._check_reward_costs(
            self.name, [(line.reward_id, line.points_cost) for line in reward_lines]
        )
        return sum(reward_lines.mapped("points_cost"))
