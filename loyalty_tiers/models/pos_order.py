import math
from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from .loyalty_card import POINT_DIGITS
from .loyalty_referral import RECORD_REFUSAL


class PosOrder(models.Model):
    _inherit = "pos.order"

    # ------------------------------------------------------------------
    # POS endpoints: the order's sync books its points, the terminal's second call only confirms
    # ------------------------------------------------------------------

    def action_pos_order_paid(self):
        result = super().action_pos_order_paid()
        # Points follow the order on the server: booked when it is paid at its sync, whether or not
        # the terminal makes its second call; a failure rolls the order's sync back whole.
        self._book_loyalty_points()
        # A member moves up as soon as a purchase takes them over a threshold, and down a return's way: reviewed
        # when the terminal shows the receipt, or by the job within minutes, not in the sync (see loyalty.card).
        partners = self.partner_id | self.lines.refunded_orderline_id.order_id.partner_id
        self.env["loyalty.card"]._mark_tiers_due(partners, self.company_id)
        # A referred customer's first purchase of the qualifying amount rewards both sides (top-ups sold in
        # the order are not a purchase: they reward as top-ups, when the card is credited).
        for order in self.filtered("partner_id"):
            bought = sum(
                order.lines.filtered(lambda line: not line.product_id.stored_value_top_up).mapped("price_subtotal_incl")
            )
            if order.currency_id.compare_amounts(bought, 0.0) > 0:
                self.env["loyalty.referral"]._reward_qualifying(
                    "purchase", order.partner_id, bought, order.currency_id, order.company_id, order
                )
        return result

    def _stored_value_open_order_member(self, order):
        """An order taken offline opens its member even with a referral code that is refused: the referral
        is then recorded as refused (the order, its top-ups and the member's card are kept)."""
        return super(
            PosOrder, self.with_context(loyalty_referral_refusal=RECORD_REFUSAL)
        )._stored_value_open_order_member(order)

    def confirm_coupon_programs(self, coupon_data):
        """Answer the terminal's second call with the points the server booked at the order's sync.

        Points of loyalty programmes were counted and booked when the order was paid: what the POS
        claims beyond them is refused and nothing more is booked (a replay answers the same). Other
        programmes (coupons, gift cards, eWallet) go to Odoo's code once their claims are bounded by the
        server's count of the order and by the cards' points. Trusted callers (the superuser, a settings
        administrator: see loyalty.card) keep Odoo's behaviour for orders never synced paid.
        """
        self.ensure_one()
        if (
            not isinstance(coupon_data, dict)
            or not all(isinstance(values, dict) for values in coupon_data.values())
            or not all(str(key).lstrip("-").isdigit() for key in coupon_data)
        ):
            raise UserError(
                self.env._("Order %(order)s: the points sent by the terminal are malformed.", order=self.name)
            )
        coupon_data = {int(key): values for key, values in coupon_data.items()}
        history = self._loyalty_history()  # booked at the sync, as a rule
        if not history:
            self._book_loyalty_points()
            history = self._loyalty_history()
        booked = self._confirm_loyalty_claims(coupon_data, history)
        self._check_coupon_claims(coupon_data)
        order = self.env["loyalty.card"]._with_points_door(self)
        result = super(PosOrder, order).confirm_coupon_programs(coupon_data)
        result["coupon_updates"] += [
            {
                "old_id": key,
                "id": card.id,
                "points": card.points,
                "code": card.code,
                "program_id": card.program_id.id,
                "partner_id": card.partner_id.id,
            }
            for key, card in booked.items()
        ]
        # The terminal disables a programme's rewards once it reaches its usage limit (only then).
        result["program_updates"] += [
            {"program_id": program.id, "usages": program.sudo().total_order_count}
            for program in self.env["loyalty.card"].concat(*booked.values()).program_id
            if program.limit_usage
        ]
        return result

    def _confirm_loyalty_claims(self, coupon_data, history):
        """Take the loyalty programmes' entries out of ``coupon_data`` and check them against what the
        server booked for the order (its points ``history``); returns ``{key: card}`` for the terminal's
        mapping."""
        self.ensure_one()
        booked = {}
        for key, values in list(coupon_data.items()):
            program = self.env["loyalty.program"].sudo().browse(values.get("program_id")).exists()
            if program.program_type != "loyalty":
                continue
            program_history = history.filtered(lambda entry, program=program: entry.card_id.program_id == program)
            if not program_history and self.env["loyalty.card"]._points_trusted_caller():
                continue  # Odoo's own server code and tests book an order that was never synced paid.
            coupon_data.pop(key)
            earned = sum(program_history.mapped("issued"))
            claimed = self._claimed_points(values)
            # The terminal counts without the multipliers, which may also be below one: a claim beyond
            # what was booked is recounted; a claim within it, the usual case, needs no count.
            counted = earned
            if self.partner_id and float_compare(claimed, earned, precision_digits=POINT_DIGITS) > 0:
                counted = max(earned, self._loyalty_program_points(program))
            if float_compare(claimed, counted, precision_digits=POINT_DIGITS) > 0:
                raise UserError(
                    self.env._(
                        "Order %(order)s claims %(claimed)s points in “%(program)s”, but it earns %(earned)s: "
                        "the server booked %(earned)s. Check the order.",
                        order=self.name,
                        claimed=claimed,
                        program=program.name,
                        earned=earned,
                    )
                )
            if program_history:
                booked[key] = program_history.card_id[:1]
        return booked

    def _claimed_points(self, values):
        """The points an entry of the terminal's second call says the order earned (finite, or refused)."""
        claimed = values.get("points_earned", max(values.get("points") or 0.0, 0.0))
        if not isinstance(claimed, (int, float)) or not math.isfinite(claimed):
            raise UserError(
                self.env._("Order %(order)s: the terminal sent %(points)s points.", order=self.name, points=claimed)
            )
        return claimed

    def _check_coupon_claims(self, coupon_data):
        """Bound the terminal's point changes of other programmes before Odoo books them.

        A programme earns at most the server's count of the order, a card spends at most what it
        holds, and no card or programme of another company is touched.
        """
        self.ensure_one()
        if self.env["loyalty.card"]._points_trusted_caller():
            return  # Odoo's own server code and tests, or an administrator who could run any code
        Card = self.env["loyalty.card"].sudo()
        earned_by_program = defaultdict(float)
        for key, values in coupon_data.items():
            program = self.env["loyalty.program"].sudo().browse(values.get("program_id")).exists()
            points = values.get("points") or 0.0
            if not program or not isinstance(points, (int, float)) or not math.isfinite(points):
                raise UserError(
                    self.env._("Order %(order)s: the terminal sent points the server cannot read.", order=self.name)
                )
            card = Card.browse(key).exists() if key > 0 else Card
            companies = program.company_id | card.company_id
            if companies and companies != self.company_id:
                raise UserError(
                    self.env._(
                        "Order %(order)s books points of “%(program)s”, which belongs to another company.",
                        order=self.name,
                        program=program.name,
                    )
                )
            if card:
                card._lock_points()
                if float_compare(card.points + points, 0.0, precision_digits=POINT_DIGITS) < 0:
                    raise UserError(
                        self.env._(
                            "Order %(order)s spends %(spent)s points of card %(card)s, which holds %(points)s.",
                            order=self.name,
                            spent=-points,
                            card=card.code,
                            points=card.points,
                        )
                    )
            earned_by_program[program] += max(points, 0.0)
        # A return may pay the customer back on a card (eWallet's Refund): a reward line of negative cost,
        # at most what the returned lines are worth.
        owed = abs(sum(line._loyalty_amounts()[0] for line in self.lines.filtered("refunded_orderline_id")))
        for program, claimed in earned_by_program.items():
            # The with-code rules count here: the server cannot see which codes the terminal took.
            counted = max(self._loyalty_program_points(program, with_code=True), 0.0)
            credited = -sum(
                line.points_cost
                for line in self.lines
                if line.is_reward_line and line.reward_id.program_id == program and line.points_cost < 0
            )
            counted += min(credited, owed)
            if float_compare(claimed, counted, precision_digits=POINT_DIGITS) > 0:
                raise UserError(
                    self.env._(
                        "Order %(order)s claims %(claimed)s points in “%(program)s”, but it earns %(earned)s.",
                        order=self.name,
                        claimed=claimed,
                        program=program.name,
                        earned=counted,
                    )
                )

    # ------------------------------------------------------------------
    # Booking at the sync: earnings, rewards spent, returned goods
    # ------------------------------------------------------------------

    def _loyalty_history(self):
        # sudo: the order's points history, whoever runs the till.
        return (
            self.env["loyalty.history"]
            .sudo()
            .search(
                [
                    ("order_model", "=", self._name),
                    ("order_id", "in", self.ids),
                    ("card_id.program_type", "=", "loyalty"),
                ]
            )
        )

    def _book_loyalty_points(self):
        """Book the order's points in loyalty programmes as the server counts them, once per order.

        Runs when the order is paid; an order that booked anything (its history lines) books nothing
        again, whichever call comes first or twice.
        """
        self.ensure_one()
        if self.state not in ("paid", "done", "invoiced"):
            return
        if not (self.partner_id or any(line.is_reward_line or line.refunded_orderline_id for line in self.lines)):
            return  # an anonymous sale without rewards or returns earns and spends nothing
        if self._loyalty_history():
            return
        self._take_back_returned_points()
        self._flag_rewards_beyond_tier()
        for program in self._loyalty_programs():
            self._book_program_points(program)

    def _flag_rewards_beyond_tier(self):
        """Flag for a manager the member-only rewards the order gave to a customer outside their tiers: the
        terminal does not offer them, so the order was changed or the member's tier moved meanwhile."""
        for reward in self.lines.filtered("is_reward_line").reward_id:
            if not reward._tier_allows(self.partner_id):
                self._stored_value_flag(
                    self.partner_id,
                    self.env._(
                        "Order %(order)s gave “%(reward)s”, an offer for %(tiers)s members only, to %(customer)s, "
                        "who is not one.",
                        order=self.name,
                        reward=reward.description,
                        tiers=", ".join(reward.tier_ids.mapped("name")),
                        customer=self.partner_id.name or "-",
                    ),
                )

    def _loyalty_programs(self):
        """The loyalty programmes the order earns in or spends from."""
        self.ensure_one()
        spent_in = self.lines.filtered("is_reward_line").reward_id.program_id
        programs = self.config_id._get_program_ids()
        if any(programs.mapped("limit_usage")):
            self.env.flush_all()  # the usage counts below read the order's lines in SQL
        programs = programs.filtered(
            lambda program: (
                program.program_type == "loyalty"
                and (not program.pricelist_ids or self.pricelist_id in program.pricelist_ids)
                # As in the POS, a programme used up by other orders earns nothing more.
                and not (
                    program.limit_usage
                    and program.sudo().total_order_count - (program in spent_in) >= program.max_usage
                )
            )
        )
        return programs | spent_in.filtered(lambda program: program.program_type == "loyalty")

    def _book_program_points(self, program):
        """Book what the order earns and spends in ``program`` on its customer's card."""
        self.ensure_one()
        reward_lines = self.lines.filtered(lambda line: line.is_reward_line and line.reward_id.program_id == program)
        if not self.partner_id:
            if reward_lines:
                raise UserError(
                    self.env._(
                        "Order %(order)s takes a reward of “%(program)s” without a customer: choose the member "
                        "whose points pay for it.",
                        order=self.name,
                        program=program.name,
                    )
                )
            return
        Card = self.env["loyalty.card"].sudo()  # members' cards, whoever runs the till
        card = Card.search([("partner_id", "=", self.partner_id.id), ("program_id", "=", program.id)], limit=1)
        others = reward_lines.sudo().coupon_id - card
        if others:
            raise UserError(
                self.env._(
                    "Order %(order)s spends the points of card %(card)s, which is not the card of %(customer)s "
                    "in “%(program)s”.",
                    order=self.name,
                    card=others[0].code,
                    customer=self.partner_id.name,
                    program=program.name,
                )
            )
        spent = self._loyalty_points_spent(program, reward_lines)
        base = self._loyalty_program_points(program)
        if float_compare(max(base, 0.0), 0.0, precision_digits=POINT_DIGITS) <= 0 and not spent:
            return
        card = card or program._member_card(self.partner_id)
        card._lock_points()
        multiplier = program._point_multiplier(card.tier_id, self.partner_id, self.date_order.date())
        earned = float_round(max(base, 0.0) * multiplier, precision_digits=POINT_DIGITS, rounding_method="DOWN")
        unpaid = card._book_order_points(self, earned, spent)
        reward_lines.sudo().coupon_id = card
        if unpaid:
            self._stored_value_flag(
                self.partner_id,
                self.env._(
                    "Order %(order)s took rewards for %(spent)s points of card %(card)s, which held %(held)s: "
                    "%(unpaid)s points were not taken. Settle them with the member.",
                    order=self.name,
                    spent=spent,
                    card=card.code,
                    held=float_round(spent - unpaid - earned, precision_digits=POINT_DIGITS),
                    unpaid=unpaid,
                ),
            )

    def _loyalty_points_spent(self, program, reward_lines):
        """Points the order's rewards of ``program`` cost; a reward cheaper than it costs is refused."""
        costs = defaultdict(float)
        for line in reward_lines:
            if not math.isfinite(line.points_cost) or line.points_cost < 0:
                raise UserError(
                    self.env._(
                        "Order %(order)s takes reward “%(reward)s” for %(cost)s points.",
                        order=self.name,
                        reward=line.reward_id.description,
                        cost=line.points_cost,
                    )
                )
            # A reward split on several lines (one per tax) carries its cost on one of them.
            costs[line.reward_id, line.reward_identifier_code] += line.points_cost
        self.env["loyalty.card"]._check_reward_costs(
            self.name, [(reward, cost) for (reward, _code), cost in costs.items()]
        )
        return float_round(sum(costs.values()), precision_digits=POINT_DIGITS)

    def _take_back_returned_points(self):
        """Returned goods take back the points they earned, from the batch they went into.

        The returned order is recounted on the goods it kept before this return and after it, at the
        rate its points were booked: the difference is what this return takes back, whatever earlier
        returns could take. What the card no longer holds is flagged for a manager, unless points may
        go negative.
        """
        self.ensure_one()
        returned = self.lines.filtered("refunded_orderline_id")
        for source in returned.refunded_orderline_id.order_id:
            this_return = {
                line: -sum(returned.filtered(lambda own, line=line: own.refunded_orderline_id == line).mapped("qty"))
                for line in source.lines
            }
            kept_after = {line: line.qty - line.refunded_qty for line in source.lines}
            kept_before = {line: kept_after[line] + this_return[line] for line in source.lines}
            for entry in source._loyalty_history().filtered(lambda entry: entry.issued > 0):
                card = entry.card_id
                full = source._loyalty_program_points(card.program_id)
                rate = entry.issued / full if full > 0 else 0.0
                points = float_round(
                    source._loyalty_points_kept(card.program_id, rate, kept_before)
                    - source._loyalty_points_kept(card.program_id, rate, kept_after),
                    precision_digits=POINT_DIGITS,
                )
                if float_compare(points, 0.0, precision_digits=POINT_DIGITS) <= 0:
                    continue
                missing = card._take_back_points(points, self, source)
                if missing:
                    self._stored_value_flag(
                        self.partner_id or source.partner_id,
                        self.env._(
                            "Return %(refund)s takes back %(points)s points that order %(order)s earned on card "
                            "%(card)s, which had spent them: %(missing)s points could not be taken back. "
                            "Settle them with the member.",
                            refund=self.name,
                            points=points,
                            order=source.name,
                            card=card.code,
                            missing=missing,
                        ),
                    )

    def _loyalty_points_kept(self, program, rate, quantities):
        """Points the order keeps in ``program`` with only ``quantities`` of its goods, at ``rate``."""
        counted = max(self._loyalty_program_points(program, quantities=quantities), 0.0)
        return float_round(counted * rate, precision_digits=POINT_DIGITS, rounding_method="DOWN")

    # ------------------------------------------------------------------
    # The server's count of points, as Odoo's POS counts them
    # ------------------------------------------------------------------

    def _loyalty_program_points(self, program, quantities=None, with_code=False):
        """Points the order earns in ``program`` before any multiplier, as pos_loyalty counts them in the
        browser (``pointsForPrograms`` less ``_getPointsCorrection``), but from amounts the server
        computes; ``quantities`` (``{line: qty}``) recounts the goods a return leaves. Returned lines
        earn nothing: a return takes back what the returned order earned.

        Rules that need a code count only ``with_code``: the server cannot see which codes the
        terminal took, so they never book points, and only bound the claims of other programmes.
        """
        self.ensure_one()
        quantities = quantities or {}
        lines = self.lines.filtered(lambda line: not line.combo_parent_id and not line.refunded_orderline_id)
        lines.product_id.sudo().mapped("account_tag_ids")  # the taxes read them: once, not line by line
        qty = {line: quantities.get(line, line.qty) for line in lines}
        amounts = {line: line._loyalty_amounts(qty[line]) for line in lines}
        digits = self.env["decimal.precision"].precision_get("Product Price")
        points = 0.0
        for rule in program.rule_ids:
            if rule.mode == "with_code" and not with_code:
                continue

            def applies(product, rule=rule):
                return rule.any_product or product in rule.valid_product_ids

            counted = lines.filtered(
                lambda line, applies=applies: (
                    not (
                        line.reward_id.reward_type == "discount"
                        and (line.reward_id.program_id.trigger == "auto" or line.reward_id.program_id == program)
                    )
                    and applies(line.product_id)
                )
            )
            incl = sum(amounts[line][0] for line in counted)
            excl = sum(amounts[line][1] for line in counted)
            if rule.minimum_amount > ((rule.minimum_amount_tax_mode == "incl" and incl) or excl):
                continue
            paid = units = 0.0
            for line in lines:
                if not applies(line.product_id) or line._loyalty_points_ignored():
                    continue
                if line.is_reward_line:
                    # Rewards of the same programme are not counted (no feedback loop), nor money cards.
                    reward_program = line.reward_id.program_id
                    if reward_program == program or reward_program.program_type in ("gift_card", "ewallet"):
                        continue
                else:
                    units += qty[line]
                paid += amounts[line][0]
            if units < rule.minimum_qty:
                continue
            if rule.reward_point_mode == "order":
                points += rule.reward_point_amount
            elif rule.reward_point_mode == "money":
                points += float_round(rule.reward_point_amount * paid, precision_digits=digits)
            else:
                points += rule.reward_point_amount * units
        return points - self._loyalty_points_correction(program, lines, qty, amounts)

    def _loyalty_points_correction(self, program, lines, qty, amounts):
        """The points of the products ``program`` gave for free, which its count above included
        (pos_loyalty's ``_getPointsCorrection``)."""
        order_incl = sum(amount[0] for amount in amounts.values())
        order_excl = sum(amount[1] for amount in amounts.values())
        regular = lines.filtered(lambda line: not line.is_reward_line)
        for rule in program.rule_ids:
            if rule.minimum_amount > (order_incl if rule.minimum_amount_tax_mode == "incl" else order_excl):
                return 0.0
            items = sum(qty[line] for line in regular if rule.any_product or line.product_id in rule.valid_product_ids)
            if rule.minimum_qty > items:
                return 0.0
        digits = self.env["decimal.precision"].precision_get("Product Price")
        correction = 0.0
        free_lines = lines.filtered(
            lambda line: (
                line.is_reward_line and line.reward_id.reward_type == "product" and line.reward_id.program_id == program
            )
        )
        for rule in program.rule_ids.filtered(lambda rule: rule.reward_point_mode != "order"):
            for line in free_lines:
                product = line._loyalty_reward_product()
                if not (rule.any_product or product in rule.valid_product_ids):
                    continue
                if rule.reward_point_mode == "money":
                    correction -= float_round(rule.reward_point_amount * amounts[line][0], precision_digits=digits)
                else:
                    correction += rule.reward_point_amount * qty[line]
        return correction
