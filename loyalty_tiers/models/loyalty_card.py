from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode
from uuid import uuid4

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero, float_round, format_date

from ..tools import points_math

POINT_DIGITS = 2


class LoyaltyCard(models.Model):
    """A member's card in a loyalty programme: points in expiring batches, and the member's tier."""

    _name = "loyalty.card"
    _inherit = ["loyalty.card", "stored.value.guard"]

    # Points, the member's tier and its marks change only through the section "Points: the one door"
    # below and the tier review; the holder and the programme are set once, when the card is issued
    # (a programme changed afterwards would turn points into another programme's money).
    _protected_fields = frozenset(
        {
            "points",
            "partner_id",
            "program_id",
            "earned_tier_id",
            "tier_id",
            "tier_since",
            "tier_review_date",
            "tier_review_due",
            "point_batch_ids",
            "tier_history_ids",
            "history_ids",
            "incentive_key",
            "incentive_description",
            "birthday_care_year",
            "tier_warned_review_date",
            "referral_code",
        }
    )
    _incentive_key_unique = models.Constraint("UNIQUE(incentive_key)", "This request already issued a coupon.")
    _referral_code_unique = models.Constraint("UNIQUE(referral_code)", "This referral code is already a member's.")
    # Odoo's loyalty, sale_loyalty and pos_loyalty book points in sudo once the suite has checked the
    # order (see pos.order and sale.order here), and their tests create cards with points as superuser.
    _protected_superuser_passes = True

    earned_tier_id = fields.Many2one("loyalty.tier", readonly=True, index="btree_not_null", ondelete="set null")
    tier_override_id = fields.Many2one(
        "loyalty.tier",
        string="Override Tier",
        domain="[('program_id', '=', program_id)]",
        ondelete="set null",
        help="A manager's choice of tier, kept until the override end date whatever the member's figures.",
    )
    tier_override_end = fields.Date(string="Override Until")
    tier_override_reason = fields.Char(string="Override Reason")
    tier_id = fields.Many2one("loyalty.tier", compute="_compute_tier_id", store=True, index="btree_not_null")
    tier_since = fields.Date(readonly=True, help="When the member entered the earned tier.")
    tier_review_date = fields.Date(
        readonly=True, help="The member keeps the earned tier until this date even without qualifying."
    )
    tier_review_due = fields.Boolean(
        readonly=True,
        copy=False,
        help="A purchase at the point of sale moved the member's figures: the tier is reviewed within minutes.",
    )
    _tier_review_due_idx = models.Index("(id) WHERE tier_review_due")
    birthday_care_year = fields.Integer(
        readonly=True, copy=False, help="The year of the member's last birthday greeting and gifts."
    )
    tier_warned_review_date = fields.Date(
        readonly=True, copy=False, help="The tier review whose coming downgrade the member was told of."
    )
    incentive_key = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The incentive that issued this coupon (see loyalty.program._issue_coupon): issued once.",
    )
    incentive_description = fields.Char(string="Given For", readonly=True, copy=False)
    referral_code = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The member's code for bringing new customers, in a programme with referrals; set by the server.",
    )
    referral_url = fields.Char(string="Referral Link", compute="_compute_referral_url")
    point_batch_ids = fields.One2many("loyalty.point.batch", "card_id", readonly=True)
    tier_history_ids = fields.One2many("loyalty.tier.history", "card_id", readonly=True)
    points_expiring = fields.Float(
        string="Points Expiring Soon", compute="_compute_points_expiring", help="Within the reminder delay."
    )
    points_expiring_date = fields.Date(string="Next Expiry", compute="_compute_points_expiring")
    next_tier_id = fields.Many2one("loyalty.tier", compute="_compute_tier_progress")
    tier_progress = fields.Float(string="Progress to Next Tier (%)", compute="_compute_tier_progress")

    @api.depends("referral_code")
    def _compute_referral_url(self):
        for card in self:
            query = urlencode({"referral": card.referral_code or ""})
            card.referral_url = card.referral_code and f"{card.get_base_url()}/web/signup?{query}"

    @api.depends("earned_tier_id", "tier_override_id")
    def _compute_tier_id(self):
        for card in self:
            card.tier_id = card.tier_override_id or card.earned_tier_id

    def _compute_points_expiring(self):
        today = fields.Date.context_today(self)
        batches = self.env["loyalty.point.batch"].search(
            [("card_id", "in", self._origin.ids), ("state", "=", "open"), ("expiry_date", "!=", False)]
        )
        for card in self:
            horizon = today + timedelta(days=card.program_id.point_expiry_reminder_days)
            own = batches.filtered(lambda batch, card=card: batch.card_id == card._origin)
            soon = own.filtered(lambda batch, horizon=horizon: batch.expiry_date <= horizon)
            card.points_expiring = sum(soon.mapped("remaining"))
            card.points_expiring_date = own[:1].expiry_date

    def _compute_tier_progress(self):
        tiered = self.filtered(lambda card: card._origin.id and card.program_id.tier_ids and card.partner_id)
        (self - tiered).next_tier_id = False
        (self - tiered).tier_progress = 0.0
        measures = tiered._origin._tier_measures_by_window(fields.Date.context_today(self))
        for card in tiered:
            tiers = card.program_id._tiers_by_level()
            current = card.tier_id
            higher = tiers.filtered(lambda tier, current=current: not current or tier.sequence > current.sequence)
            next_tier = higher[:1]
            card.next_tier_id = next_tier
            card.tier_progress = (
                points_math.progress(
                    next_tier._thresholds(), measures[next_tier.window_months][card._origin.id], next_tier.require_all
                )
                if next_tier
                else 100.0
            )

    @api.constrains("tier_override_id", "tier_override_end", "tier_override_reason")
    def _check_override(self):
        for card in self.filtered("tier_override_id"):
            if card.tier_override_id.program_id != card.program_id:
                raise ValidationError(
                    self.env._(
                        "Tier “%(tier)s” belongs to another programme than card %(card)s.",
                        tier=card.tier_override_id.name,
                        card=card.code,
                    )
                )
            if not card.tier_override_end or not (card.tier_override_reason or "").strip():
                raise ValidationError(
                    self.env._("Card %(card)s: an override of the tier needs an end date and a reason.", card=card.code)
                )

    @api.model
    def _points_trusted_caller(self):
        """Whether the caller may book points Odoo's own code counted, unchecked: the superuser, and a
        settings administrator, who runs code as the superuser anyway (server actions) and is who Odoo's
        own test suites act as. Never a cashier, a salesperson or a loyalty manager."""
        return self.env.su or self.env.user._is_system()

    def _protected_open(self):
        return super()._protected_open() or self._points_trusted_caller()

    def _protected_create_allowed(self, field_name, value):
        # A card is issued empty to a holder in a programme; its points and tier come from bookings.
        if field_name == "points":
            return float_is_zero(value or 0.0, precision_digits=POINT_DIGITS)
        return field_name in ("partner_id", "program_id")

    @api.model
    def _with_points_door(self, records):
        """``records`` (an order, a wizard) allowed to run Odoo's own code that writes the points the
        suite has just checked; for the posting code below, sale.order, pos.order and the balance wizard."""
        return records.with_env(self._posting().env)

    # ------------------------------------------------------------------
    # Points: the one door. Every change of a card's points goes through one of these methods
    # (earn, consume, expire, take back), or through Odoo's own code that the callers of
    # _with_points_door have checked, which write() then books in batches.
    # ------------------------------------------------------------------

    def _lock_points(self):
        """Lock the cards' rows (waiting for a concurrent booking) and read their points afresh."""
        if not self:
            return
        self.flush_recordset(["points"])
        self.env.cr.execute(SQL("SELECT id FROM loyalty_card WHERE id IN %s ORDER BY id FOR UPDATE", tuple(self.ids)))
        self.invalidate_recordset(["points"])

    @api.model_create_multi
    def create(self, vals_list):
        cards = super().create(vals_list)
        self._referral_assign_codes(cards=cards.filtered("program_id.referral_enabled"))
        if not self.env.context.get("loyalty_points_booked"):
            for card in cards.filtered(lambda card: card.program_type == "loyalty" and card.points > 0):
                card._create_batch(card.points, card._batch_key("opening"), self.env._("Opening points"))
        return cards

    def write(self, vals):
        overriding = {"tier_override_id", "tier_override_end", "tier_override_reason"} & set(vals)
        if overriding and not self.env.su and not self.env.user.has_group("loyalty_tiers.group_loyalty_tier_manager"):
            raise UserError(
                self.env._("Only a loyalty manager can override the tier of card %(card)s.", card=self[:1].code or "")
            )
        booked = self.env.context.get("loyalty_points_booked")
        point_cards = self.filtered(lambda card: card.program_type == "loyalty") if "points" in vals else self.browse()
        below_zero = float_compare(vals.get("points") or 0.0, 0.0, precision_digits=POINT_DIGITS) < 0
        if below_zero and point_cards and not booked:
            raise UserError(
                self.env._(
                    "Card %(card)s cannot go below zero points: the member does not have that many points.",
                    card=point_cards[0].code,
                )
            )
        # The posting code locked its card and counted the change itself; Odoo's own code has not.
        points_before = {}
        if not booked:
            point_cards._lock_points()
            points_before = {card: card.points for card in point_cards}
        overrides_before = (
            {card: (card.tier_override_id, card.tier_override_end, card.tier_override_reason) for card in self}
            if overriding
            else {}
        )
        result = super().write(vals)
        if not booked:
            for card, before in points_before.items():
                card._book_point_change(card.points - before)
        for card, before in overrides_before.items():
            card._log_override(*before)
        return result

    def _book_point_change(self, change):
        """Record a change of points in batches: earnings in a new batch, spending from the oldest batches.

        The context may name the document whose points Odoo's code books (``loyalty_points_order``:
        ``(model, id)``; what it earned is in its history line, written first, the rest being spent)
        and the source of the points (``loyalty_points_source``: it makes the batch's key, so that
        points are booked once).
        """
        self.ensure_one()
        earned = max(change, 0.0)
        order_model, order_id = self.env.context.get("loyalty_points_order") or (None, None)
        if order_model:
            earned = sum(
                self.env["loyalty.history"]
                .sudo()
                .search([("card_id", "=", self.id), ("order_model", "=", order_model), ("order_id", "=", order_id)])
                .mapped("issued")
            )
        spent = float_round(earned - change, precision_digits=POINT_DIGITS)
        # Earned first: an order may spend the points it earns.
        if float_compare(earned, 0.0, precision_digits=POINT_DIGITS) > 0:
            source = self.env.context.get("loyalty_points_source") or f"manual/{uuid4().hex}"
            self._create_batch(earned, self._batch_key(source), debt=max(change - self.points, 0.0))
        if spent > 0:
            self._consume_points(spent)

    def _book_order_points(self, order, earned, spent):
        """Book what ``order`` earns and spends on this card (locked by the caller), once per order.

        The points are booked on the order's sync, with a history line keyed by the order (which
        pos_loyalty's second call recognises and skips). Points spent beyond what the card holds are
        not booked unless the company lets points go negative: returns the points left unpaid, which
        the caller flags for a manager.
        """
        self.ensure_one()
        before = self.points
        available = max(before + earned, 0.0)
        unpaid = 0.0
        if not order.company_id.loyalty_negative_points:
            unpaid = float_round(max(spent - available, 0.0), precision_digits=POINT_DIGITS)
        spent_booked = float_round(spent - unpaid, precision_digits=POINT_DIGITS)
        description = self.env._("POS order %(order)s", order=order.name)
        # sudo: the history and points of a booking the server counted, whoever runs the till.
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": self.id,
                "order_model": order._name,
                "order_id": order.id,
                "description": description,
                "issued": earned,
                "used": spent_booked,
            }
        )
        # The history line above is the card's record of the order: no chatter message repeats it.
        card = self.sudo()._posting().with_context(loyalty_points_booked=True, mail_notrack=True)
        card.write({"points": float_round(before + earned - spent_booked, precision_digits=POINT_DIGITS)})
        if float_compare(earned, 0.0, precision_digits=POINT_DIGITS) > 0:
            key = self._batch_key(f"{order._name},{order.id}")
            self._create_batch(earned, key, description, debt=max(-before, 0.0), document=order)
        if float_compare(spent_booked, 0.0, precision_digits=POINT_DIGITS) > 0:
            self._consume_points(spent_booked)
        return unpaid

    def _take_back_points(self, points, order, source, description=None):
        """Take back ``points`` that ``source`` (the returned order) earned, for the return ``order``.

        They come first from the batches ``source`` earned them in. A card that spent them goes
        negative only if the company allows it; otherwise it is taken down to zero and the points
        that could not be taken back are returned, for the caller to flag for a manager.
        """
        self.ensure_one()
        self._lock_points()
        before = self.points
        taken = points if order.company_id.loyalty_negative_points else min(points, max(before, 0.0))
        taken = float_round(taken, precision_digits=POINT_DIGITS)
        if float_compare(taken, 0.0, precision_digits=POINT_DIGITS) > 0:
            self.env["loyalty.history"].sudo().create(
                {
                    "card_id": self.id,
                    "order_model": order._name,
                    "order_id": order.id,
                    "description": description
                    or self.env._(
                        "Points of returned goods (%(order)s, return %(refund)s)",
                        order=source.name,
                        refund=order.name,
                    ),
                    "issued": 0.0,
                    "used": taken,
                }
            )
            card = self.sudo()._posting().with_context(loyalty_points_booked=True)
            card.write({"points": float_round(before - taken, precision_digits=POINT_DIGITS)})
            self.with_context(loyalty_points_reversed_source=f"{source._name},{source.id}")._consume_points(taken)
        return float_round(points - taken, precision_digits=POINT_DIGITS)

    def _void_coupon(self, description):
        """Void a coupon (or gift card) given as an incentive and not used: its points go to zero, it is
        archived, and its history says why. The counterpart of ``loyalty.program._issue_coupon``."""
        self.ensure_one()
        self._lock_points()
        if not self.active:
            return
        # sudo: the void is the bookkeeping of a take-back the caller decided (a refunded gift pack).
        self.env["loyalty.history"].sudo().create(
            {"card_id": self.id, "description": description, "issued": 0.0, "used": self.points}
        )
        self.sudo()._posting().with_context(loyalty_points_booked=True).write({"points": 0.0, "active": False})

    @api.model
    def _check_reward_costs(self, order_name, costs):
        """Refuse the rewards of ``costs`` (``[(reward, points paid)]``) taken for less than they cost, and
        those of the points shop, which are exchanged for a code there, not taken on an order."""
        for reward, cost in costs:
            if reward.points_shop:
                raise UserError(
                    self.env._(
                        "Order %(order)s takes reward “%(reward)s” of the points shop; it is redeemed in the shop.",
                        order=order_name,
                        reward=reward.description,
                    )
                )
            fixed_cost = not (reward.reward_type == "discount" and reward.discount_mode == "per_point")
            if fixed_cost and float_compare(cost, reward.required_points, precision_digits=POINT_DIGITS) < 0:
                raise UserError(
                    self.env._(
                        "Order %(order)s takes reward “%(reward)s” for %(cost)s points; it costs %(required)s.",
                        order=order_name,
                        reward=reward.description,
                        cost=cost,
                        required=reward.required_points,
                    )
                )

    def _batch_key(self, source):
        self.ensure_one()
        return f"{source}/card/{self.id}"

    def _create_batch(self, points, key, description=None, debt=0.0, document=None):
        """A batch of ``points`` earned now; ``debt``, the points the card owed (below zero), is paid
        from it first, so that the open batches always hold what the card holds. Where and by whom come
        from ``document`` when the caller has it, else from the document ``key`` names."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        remaining = float_round(max(points - debt, 0.0), precision_digits=POINT_DIGITS)
        Batch = self.env["loyalty.point.batch"]
        company = self.company_id or self.env.company
        served = Batch._served_values(document, company) if document else Batch._served_values_of_key(key, company)
        # The batches are the cache of the card's points; users change points, never batches.
        return (
            Batch.sudo()
            ._posting()
            .create(
                {
                    "card_id": self.id,
                    "points": points,
                    "remaining": remaining,
                    "state": "open" if remaining > 0 else "used",
                    "earn_date": today,
                    "expiry_date": points_math.expiry_date(today, self.program_id.point_validity_months),
                    "source_key": key,
                    "description": description or self.env.context.get("loyalty_points_description"),
                    **served,
                }
            )
        )

    def _open_batches(self):
        """The card's open batches in the order points are taken from them: those expiring first first,
        except that points taken back from a document (context ``loyalty_points_reversed_source``) come
        first from the batches that document earned."""
        self.ensure_one()
        reversed_source = self.env.context.get("loyalty_points_reversed_source")
        reversed_prefix = reversed_source and f"{reversed_source}/"
        return (
            self.env["loyalty.point.batch"]
            .sudo()
            .search([("card_id", "=", self.id), ("state", "=", "open")])
            .sorted(
                lambda batch: (
                    not (reversed_prefix and batch.source_key.startswith(reversed_prefix)),
                    not batch.expiry_date,
                    batch.expiry_date or batch.earn_date,
                    batch.id,
                )
            )
        )

    def _consume_points(self, spent):
        """Take ``spent`` points from the open batches, in the order of :meth:`_open_batches`."""
        batches = self._open_batches()
        taken, _left = points_math.consume_oldest_first(batches.mapped("remaining"), spent)
        batches._set_remaining(
            {
                batch: float_round(batch.remaining - take, precision_digits=POINT_DIGITS)
                for batch, take in zip(batches, taken, strict=True)
                if take
            }
        )

    def _earn_points(self, points, source, description):
        """Give ``points`` (already multiplied) from ``source``, once: a replay returns the first batch."""
        self.ensure_one()
        if float_compare(points, 0.0, precision_digits=POINT_DIGITS) <= 0:
            raise UserError(
                self.env._("Card %(card)s: points earned must be positive (%(points)s).", card=self.code, points=points)
            )
        self._lock_points()
        key = self._batch_key(source)
        Batch = self.env["loyalty.point.batch"].sudo()
        replay = Batch.search([("source_key", "=", key)])
        if replay:
            return replay
        # sudo: the card's points and history are the bookkeeping of an earning this flow decided.
        self.env["loyalty.history"].sudo().create(
            {"card_id": self.id, "description": description, "issued": points, "used": 0.0}
        )
        debt = max(-self.points, 0.0)
        self.sudo()._posting().with_context(loyalty_points_booked=True).write({"points": self.points + points})
        return self._create_batch(points, key, description, debt=debt)

    def _redeem_points(self, points, description):
        """Spend ``points`` of this card (locked and read afresh by the caller) on something the server
        priced, such as a reward of the points shop; refused when the card holds fewer, whatever the
        company's negative-points policy (which is for orders already paid, not for new spending)."""
        self.ensure_one()
        if float_compare(points, 0.0, precision_digits=POINT_DIGITS) <= 0:
            raise UserError(
                self.env._("Card %(card)s: points spent must be positive (%(points)s).", card=self.code, points=points)
            )
        if float_compare(self.points, points, precision_digits=POINT_DIGITS) < 0:
            raise UserError(
                self.env._(
                    "Card %(card)s holds %(held)s points; %(points)s are needed.",
                    card=self.code,
                    held=self.points,
                    points=points,
                )
            )
        # sudo: the history and points of a spending this flow checked, whoever asked for it.
        self.env["loyalty.history"].sudo().create(
            {"card_id": self.id, "description": description, "issued": 0.0, "used": points}
        )
        self.sudo()._posting().with_context(loyalty_points_booked=True).write(
            {"points": float_round(self.points - points, precision_digits=POINT_DIGITS)}
        )
        self._consume_points(points)

    def _point_multiplier(self, date=None):
        """What earnings of this member are multiplied by on ``date``: the tier's and the birthday month's."""
        self.ensure_one()
        return self.program_id._point_multiplier(self.tier_id, self.partner_id, date or fields.Date.context_today(self))

    def _expire_points(self, today):
        """Expire what is left of the batches of ``self`` that expired before ``today``."""
        self._lock_points()
        expired = (
            self.env["loyalty.point.batch"]
            .sudo()
            .search([("card_id", "in", self.ids), ("state", "=", "open"), ("expiry_date", "<", today)])
        )
        for card in self:
            batches = expired.filtered(lambda batch, card=card: batch.card_id == card)
            points = min(sum(batches.mapped("remaining")), card.points)
            if not batches:
                continue
            batches._set_remaining(dict.fromkeys(batches, 0.0), state="expired")
            if float_compare(points, 0.0, precision_digits=POINT_DIGITS) <= 0:
                continue
            self.env["loyalty.history"].sudo().create(
                {
                    "card_id": card.id,
                    "description": self.env._(
                        "Points expired (earned before %(date)s)", date=max(batches.mapped("earn_date"))
                    ),
                    "issued": 0.0,
                    "used": points,
                }
            )
            card.sudo()._posting().with_context(loyalty_points_booked=True).write({"points": card.points - points})

    def _merge_points_into(self, target):
        """Move the points of the cards in ``self`` onto ``target`` (a card of the same programme), with
        their open batches and expiry dates, as when two members' contacts are merged. The cards of
        ``self`` are left with no points; a card below zero takes its debt along."""
        cards = (self - target).filtered(lambda card: card.program_id == target.program_id)
        if not cards:
            return
        (target | cards)._lock_points()
        for card in cards:
            moved = card.points
            if float_is_zero(moved, precision_digits=POINT_DIGITS):
                continue
            batches = self.env["loyalty.point.batch"].sudo().search([("card_id", "=", card.id), ("state", "=", "open")])
            batches._posting().write({"card_id": target.id})
            held = max(target.points, 0.0) + max(moved, 0.0)
            total = float_round(target.points + moved, precision_digits=POINT_DIGITS)
            History = self.env["loyalty.history"].sudo()
            History.create(
                {
                    "card_id": card.id,
                    "description": self.env._("Points moved to card %(card)s (contacts merged)", card=target.code),
                    "issued": max(-moved, 0.0),
                    "used": max(moved, 0.0),
                }
            )
            History.create(
                {
                    "card_id": target.id,
                    "description": self.env._("Points of card %(card)s (contacts merged)", card=card.code),
                    "issued": max(moved, 0.0),
                    "used": max(-moved, 0.0),
                }
            )
            card.sudo()._posting().with_context(loyalty_points_booked=True).write({"points": 0.0})
            target.sudo()._posting().with_context(loyalty_points_booked=True).write({"points": total})
            # A debt on either side is paid from the points of the other, as an earning pays it.
            excess = float_round(held - max(total, 0.0), precision_digits=POINT_DIGITS)
            if excess > 0:
                target._consume_points(excess)

    # ------------------------------------------------------------------
    # Member care: birthday and tier gifts, and what members are told
    # ------------------------------------------------------------------

    def _give_gift(self, key, description, points=0.0, coupon_program=None, bonus=0.0):
        """Give this member, once per ``key``, ``points`` on this card, a coupon of ``coupon_program`` and
        ``bonus`` on their stored-value card (if they hold one in the programme's company and currency)."""
        self.ensure_one()
        if float_compare(points, 0.0, precision_digits=POINT_DIGITS) > 0:
            self._earn_points(points, key, description)
        if coupon_program:
            # The member's own message (birthday greeting, tier welcome) gives the code.
            coupon_program._issue_coupon(self.partner_id, self._batch_key(key), description, notify=False)
        if self.currency_id.compare_amounts(bonus, 0.0) > 0:
            company = self.company_id or self.env.company
            wallet = self.env["stored.value.card"]._gift_wallet(self.partner_id, company, self.currency_id)
            if wallet:
                wallet._gift_bonus(bonus, description, self._batch_key(key))

    def _gift_lines(self, key, points, bonus):
        """What the gift given under ``key`` holds, in words, for the member's message."""
        self.ensure_one()
        lines = []
        if points:
            lines.append(self._format_points(points))
        coupon = self.search([("incentive_key", "=", self._batch_key(key))], limit=1)
        if coupon:
            lines.append(
                self.env._("a coupon of %(program)s: %(code)s", program=coupon.program_id.name, code=coupon.code)
            )
        gift_key = self._batch_key(key)
        if bonus and self.env["stored.value.ledger"].sudo().search_count([("idempotency_key", "=", gift_key)]):
            lines.append(self.env._("%(amount)s on your card", amount=self.currency_id.format(bonus)))
        return lines

    def _birthday_key(self):
        return f"birthday/{self.birthday_care_year}"

    def _birthday_gift_lines(self):
        """The gifts of this year's birthday greeting, in words."""
        self.ensure_one()
        tier = self.tier_id
        return self._gift_lines(self._birthday_key(), tier.birthday_points, tier.birthday_bonus)

    def _birthday_gift_text(self):
        """This year's birthday gifts in one sentence, for a text message; empty without gifts."""
        lines = self._birthday_gift_lines()
        return self.env._("Our gift: %(gifts)s.", gifts="; ".join(lines)) if lines else ""

    def _welcome_gift_text(self):
        """The welcome gifts of the member's tier in one sentence, for a text message; empty without gifts."""
        lines = self._welcome_gift_lines()
        return self.env._("Your welcome gift: %(gifts)s.", gifts="; ".join(lines)) if lines else ""

    def _coupon_validity_text(self):
        """Until when this coupon is valid, for a text message; empty if it does not expire."""
        self.ensure_one()
        if not self.expiration_date:
            return ""
        return self.env._("Valid until %(date)s.", date=format_date(self.env, self.expiration_date))

    def _welcome_gift_lines(self):
        """The gifts of the welcome to the member's tier this year, in words."""
        self.ensure_one()
        tier = self.tier_id
        key = f"tier-welcome/{tier.id}/{fields.Date.context_today(self).year}"
        return self._gift_lines(key, tier.welcome_points, tier.welcome_bonus)

    @api.model
    def _members_with_birthday_due(self, today):
        """``[(card id, year)]``: members whose birthday care is due ``today`` and not given that year.

        Due from the programme's days before the birthday (else the first day of its month) to the end of
        the birthday month, so that a missed run catches up; the year is the birthday's, whatever edits the
        birthday gets afterwards. A 29 February birthday falls on the 28th in other years."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH member AS (
                       SELECT card.id, card.birthday_care_year, program.birthday_days_before AS days_before,
                              EXTRACT(MONTH FROM partner.loyalty_birthday)::int AS month,
                              EXTRACT(DAY FROM partner.loyalty_birthday)::int AS day
                         FROM loyalty_card card
                         JOIN loyalty_program program ON program.id = card.program_id
                         JOIN res_partner partner ON partner.id = card.partner_id
                        WHERE card.active AND program.program_type = 'loyalty' AND program.active
                          AND partner.loyalty_birthday IS NOT NULL
                   ), dated AS (
                       SELECT member.*, years.year,
                              make_date(years.year, member.month, LEAST(member.day, EXTRACT(DAY FROM
                                  make_date(years.year, member.month, 1) + INTERVAL '1 month - 1 day')::int))
                                  AS birthday
                         FROM member, (VALUES (%(year)s), (%(year)s + 1)) AS years(year)
                   )
                   SELECT id, year FROM dated
                    WHERE (CASE WHEN days_before > 0 THEN birthday - days_before
                                ELSE date_trunc('month', birthday)::date END) <= %(today)s
                      AND %(today)s <= (date_trunc('month', birthday) + INTERVAL '1 month - 1 day')::date
                      AND birthday_care_year IS DISTINCT FROM year
                    ORDER BY id""",
                year=today.year,
                today=today,
            )
        )
        return self.env.cr.fetchall()

    def _give_birthday_care(self, year):
        """This year's birthday care of these members: the gifts of their tier, the call of a personal
        care tier, and the greeting by their consented channels."""
        self.sudo()._posting().write({"birthday_care_year": year})
        for card in self:
            tier = card.tier_id
            description = self.env._("Birthday gift of the %(tier)s tier", tier=tier.name) if tier else ""
            if tier:
                card._give_gift(
                    f"birthday/{year}",
                    description,
                    points=tier.birthday_points,
                    coupon_program=tier.birthday_coupon_program_id,
                    bonus=tier.birthday_bonus,
                )
            if tier.birthday_care_call:
                company = card.company_id or self.env.company
                partner = card.partner_id
                caller = partner._stored_value_salesperson_in(company) or company._stored_value_manager()
                partner.sudo().activity_schedule(
                    "mail.mail_activity_data_call",
                    date_deadline=fields.Date.context_today(self),
                    summary=self.env._("Birthday care: call %(member)s", member=partner.name),
                    note=self.env._(
                        "%(member)s, a %(tier)s member, has their birthday.", member=partner.name, tier=tier.name
                    ),
                    user_id=caller.id,
                )
        self.env["stored.value.message"]._dispatch("birthday", self)

    @api.model
    def _cron_birthday_rewards(self, batch_size=200):
        """Give each member their birthday care once a year: greeting, tier gifts, personal care call."""
        due = self._members_with_birthday_due(fields.Date.context_today(self))
        for start in range(0, len(due), batch_size):
            batch = due[start : start + batch_size]
            by_year = defaultdict(list)
            for card_id, year in batch:
                by_year[year].append(card_id)
            for year, card_ids in by_year.items():
                self.sudo().browse(card_ids)._give_birthday_care(year)  # every company's members
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=len(due) - start - len(batch)):
                break

    def _welcome_to_tiers(self, history):
        """The members of ``history``'s upgrades get their new tier's welcome gift (once a year per tier)
        and are told of it."""
        # The cards moving up, by tier, in one query: a night's review has thousands.
        upgraded_by_tier = dict(
            history._read_group(
                [("id", "in", history.ids), ("change", "=", "upgrade"), ("new_tier_id", "!=", False)],
                ["new_tier_id"],
                ["card_id:recordset"],
            )
        )
        year = fields.Date.context_today(self).year
        for tier, cards in upgraded_by_tier.items():
            if not (tier.welcome_points or tier.welcome_coupon_program_id or tier.welcome_bonus):
                continue  # a tier without welcome gifts costs nothing per member
            description = self.env._("Welcome to the %(tier)s tier", tier=tier.name)
            for card in cards:
                card._give_gift(
                    f"tier-welcome/{tier.id}/{year}",
                    description,
                    points=tier.welcome_points,
                    coupon_program=tier.welcome_coupon_program_id,
                    bonus=tier.welcome_bonus,
                )
        if upgraded_by_tier:
            upgraded = history.env["loyalty.card"].union(*upgraded_by_tier.values())
            self.env["stored.value.message"]._dispatch("tier_upgrade", upgraded)

    def _referral_reward_lines(self):
        """The member's last referral reward, in words, for their message."""
        self.ensure_one()
        partner = self.partner_id
        referral = (
            self.env["loyalty.referral"]
            .sudo()  # the member's own referral, for their message
            .search(
                [
                    ("state", "=", "rewarded"),
                    ("program_id", "=", self.program_id.id),
                    "|",
                    ("referrer_partner_id", "=", partner.id),
                    ("referred_partner_id", "=", partner.id),
                ],
                order="reward_date desc, id desc",
                limit=1,
            )
        )
        if not referral:
            return []
        side = "referrer" if referral.referrer_partner_id == partner else "referred"
        program = referral.program_id
        kind, amount = program[f"referral_{side}_reward"], program[f"referral_{side}_amount"]
        if side == "referrer":
            reason = self.env._("%(name)s joined with your referral code", name=referral.referred_partner_id.name)
        else:
            reason = self.env._("%(name)s referred you", name=referral.referrer_partner_id.name)
        if kind == "points":
            reward = self._format_points(amount)
        elif kind == "credit":
            reward = self.env._("%(amount)s on your card", amount=referral.currency_id.format(amount))
        else:
            coupon = referral[f"{side}_coupon_id"]
            reward = self.env._("a coupon of %(program)s: %(code)s", program=coupon.program_id.name, code=coupon.code)
        return [reason, reward]

    def _tier_offers(self):
        """The member-only rewards this card's tier opens, in the active programmes of its company."""
        self.ensure_one()
        if not self.tier_id:
            return self.env["loyalty.reward"]
        # sudo: the member (a portal user) reads the offers of their own tier only.
        return (
            self.env["loyalty.reward"]
            .sudo()
            .search(
                [
                    ("tier_ids", "in", self.tier_id.ids),
                    ("active", "=", True),
                    ("program_id.active", "=", True),
                    ("program_id.company_id", "in", [self.company_id.id, False]),
                ]
            )
        )

    def _tier_shortfall_lines(self):
        """What the member still needs, within the tier's window, to keep their tier at its review."""
        self.ensure_one()
        tier = self.earned_tier_id
        if not tier:
            return []
        measures = self._tier_measures(tier.window_months, fields.Date.context_today(self)).get(self.id, {})
        labels = {
            "spend": lambda missing: self.env._("spend %(amount)s more", amount=self.currency_id.format(missing)),
            "points": lambda missing: self.env._("earn %(points)s more", points=self._format_points(missing)),
            "balance": lambda missing: self.env._(
                "hold %(amount)s more on your card", amount=self.currency_id.format(missing)
            ),
            "topup": lambda missing: self.env._("top up %(amount)s more", amount=self.currency_id.format(missing)),
        }
        return [
            labels[name](minimum - measures.get(name, 0.0))
            for name, minimum in tier._thresholds().items()
            if minimum > 0 and measures.get(name, 0.0) < minimum
        ]

    @api.model
    def _cron_warn_tier_downgrades(self, batch_size=200):
        """Tell members whose tier review is near and who no longer reach their tier what they need to keep
        it, once per review."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT card.id FROM loyalty_card card
                     JOIN loyalty_program program ON program.id = card.program_id
                    WHERE card.active AND card.earned_tier_id IS NOT NULL AND card.tier_override_id IS NULL
                      AND program.tier_warning_days > 0 AND card.tier_review_date > %(today)s
                      AND card.tier_review_date <= %(today)s::date + program.tier_warning_days
                      AND card.tier_warned_review_date IS DISTINCT FROM card.tier_review_date
                    ORDER BY card.id""",
                today=today,
            )
        )
        card_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(card_ids), batch_size):
            cards = self.sudo().browse(card_ids[start : start + batch_size])  # every company's members
            measures = cards._tier_measures_by_window(today)
            at_risk = cards.filtered(
                lambda card, measures=measures: (
                    not card.earned_tier_id._is_reached(measures[card.earned_tier_id.window_months][card.id])
                )
            )
            for card in at_risk:
                card._posting().write({"tier_warned_review_date": card.tier_review_date})
            self.env["stored.value.message"]._dispatch("tier_at_risk", at_risk)
            if not self.env["ir.cron"]._commit_progress(len(cards), remaining=len(card_ids) - start - len(cards)):
                break

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------

    def _tier_measures(self, window_months, today):
        """``{card id: {measure: value}}`` over the ``window_months`` before ``today``, for all cards at once.

        Spend is what the member paid at the POS and was invoiced (POS invoices counted once), in the
        company currency, less the card top-ups they bought (counted as top-ups); the balance is what their
        stored-value cards hold now.
        """
        if not self:
            return {}
        self.env.flush_all()
        cutoff = today - relativedelta(months=window_months)
        self.env.cr.execute(
            SQL(
                "SELECT card.id, %s FROM loyalty_card card WHERE card.id IN %s",
                self._tier_measures_sql(SQL("%s::date", cutoff)),
                tuple(self.ids),
            )
        )
        return {
            card_id: dict(zip(points_math.MEASURES, values, strict=True)) for card_id, *values in self.env.cr.fetchall()
        }

    @api.model
    def _tier_measures_sql(self, cutoff):
        """The measures of the member of the ``loyalty_card`` row ``card`` since the date ``cutoff`` (SQL), as
        columns named and ordered as ``points_math.MEASURES``: the one definition of the tier measures."""
        return SQL(
            """COALESCE((SELECT SUM((pos.amount_total - pos.stored_value_top_up_amount)
                                    / COALESCE(NULLIF(pos.currency_rate, 0), 1))
                           FROM pos_order pos
                          WHERE pos.partner_id = card.partner_id AND pos.state IN ('paid', 'done')
                            AND (card.company_id IS NULL OR pos.company_id = card.company_id)
                            AND pos.date_order >= %(cutoff)s::timestamp), 0)
             + COALESCE((SELECT SUM(move.amount_total_signed) FROM account_move move
                          WHERE move.partner_id = card.partner_id AND move.state = 'posted'
                            AND move.move_type IN ('out_invoice', 'out_refund')
                            AND (card.company_id IS NULL OR move.company_id = card.company_id)
                            AND move.invoice_date >= %(cutoff)s
                            AND NOT EXISTS (SELECT 1 FROM pos_order invoiced
                                             WHERE invoiced.account_move = move.id)), 0) AS spend,
               COALESCE((SELECT SUM(batch.points) FROM loyalty_point_batch batch
                          WHERE batch.card_id = card.id AND batch.earn_date >= %(cutoff)s), 0) AS points,
               COALESCE((SELECT SUM(wallet.balance) FROM stored_value_card wallet
                          WHERE wallet.partner_id = card.partner_id AND wallet.state IN ('active', 'frozen')
                            AND (card.company_id IS NULL OR wallet.company_id = card.company_id)), 0) AS balance,
               COALESCE((SELECT SUM(entry.principal_amount) FROM stored_value_ledger entry
                          WHERE entry.partner_id = card.partner_id AND entry.entry_type = 'topup'
                            AND (card.company_id IS NULL OR entry.company_id = card.company_id)
                            AND entry.date >= %(cutoff)s::timestamp), 0) AS topup""",
            cutoff=cutoff,
        )

    def _tier_measures_by_window(self, today):
        """``{window months: {card id: measures}}`` for every window the cards' tiers use."""
        windows = set(self.program_id.tier_ids.mapped("window_months"))
        return {months: self._tier_measures(months, today) for months in windows}

    def _update_tiers(self, today=None):
        """Move each card of ``self`` to the tier its figures reach: up at once, down at its review date.

        Returns the tier history written. Reviewing a card twice the same day changes nothing the second time.
        """
        History = self.env["loyalty.tier.history"].sudo()  # written by the tier review only
        if not self:
            return History
        today = today or fields.Date.context_today(self)
        # A batch is reviewed in three statements whatever its size (100,000 members a night): the cards, then
        # the history of their changes, then their contacts' tier. They are the tier review's own writes of
        # its protected fields, as its posting code would make them through the ORM.
        self.env.flush_all()  # the measures read the orders, invoices, points and wallets as they stand
        changes = self._write_reviewed_tiers(today)
        history = History.browse(self._write_tier_history(changes, today))
        self._write_partner_tiers({partner_id for _card_id, partner_id, *_tiers in changes})
        self._welcome_to_tiers(history)
        return history

    def _write_reviewed_tiers(self, today):
        """Review the tiers of the cards of ``self`` and write them, in one statement; return the changes,
        ``[(card id, partner id, old tier id, new tier id, "upgrade" or "downgrade")]`` by card id.

        A card's tier reached is the highest active tier of its programme whose thresholds its member's
        measures over the tier's window meet (:meth:`_tier_reached_sql`). The card moves up to it at once,
        and down (or out of every tier) only from its review date on; a card still in its tier at its review
        date is confirmed for another grace period. Only the cards whose tier moves or is confirmed are
        written: a night where nobody moves writes nothing.
        """
        self.env.cr.execute(
            SQL(
                """WITH review AS (
                        SELECT card.id, card.earned_tier_id AS old_tier_id, target.id AS new_tier_id, decision.change,
                               CASE WHEN decision.change IN ('upgrade', 'downgrade') THEN target.id
                                    ELSE card.earned_tier_id END AS earned_tier_id,
                               CASE WHEN decision.change IN ('upgrade', 'downgrade') THEN %(today)s::date
                                    ELSE card.tier_since END AS tier_since,
                               CASE WHEN decision.change IS NULL THEN card.tier_review_date
                                    WHEN decision.change = 'confirm'
                                    THEN %(today)s::date + COALESCE(earned.grace_days, 0)
                                    WHEN target.id IS NOT NULL THEN %(today)s::date + COALESCE(target.grace_days, 0)
                               END AS tier_review_date  -- none out of every tier
                          FROM loyalty_card card
                         CROSS JOIN LATERAL (
                               SELECT card.partner_id IS NOT NULL
                                      AND EXISTS (SELECT 1 FROM loyalty_tier tier
                                                   WHERE tier.program_id = card.program_id AND tier.active)
                                      AS reviewed) scope
                          -- The tier reached, card by card: its measures once per window its tiers use.
                          LEFT JOIN LATERAL (
                               SELECT tier.id AS tier_id
                                 FROM (SELECT span.months, %(measures)s
                                         FROM (SELECT DISTINCT COALESCE(window_months, 0) AS months FROM loyalty_tier
                                                WHERE program_id = card.program_id AND active) span
                                        CROSS JOIN LATERAL (
                                              SELECT (%(today)s::date - make_interval(months => span.months))::date
                                                     AS cutoff) since
                                       OFFSET 0) measure  -- the fence: measured once per window, not per tier
                                 JOIN loyalty_tier tier ON tier.program_id = card.program_id AND tier.active
                                                       AND COALESCE(tier.window_months, 0) = measure.months
                                WHERE %(reached)s
                                ORDER BY COALESCE(tier.sequence, 0) DESC, tier.id DESC LIMIT 1
                          ) reached ON scope.reviewed
                          LEFT JOIN loyalty_tier target ON target.id = reached.tier_id
                          LEFT JOIN loyalty_tier earned ON earned.id = card.earned_tier_id
                         CROSS JOIN LATERAL (
                               SELECT CASE WHEN NOT scope.reviewed THEN NULL
                                           WHEN target.id IS NOT NULL AND (earned.id IS NULL
                                                OR COALESCE(target.sequence, 0) > COALESCE(earned.sequence, 0))
                                           THEN 'upgrade'
                                           WHEN earned.id IS NOT NULL AND target.id IS DISTINCT FROM earned.id
                                                AND (card.tier_review_date IS NULL
                                                     OR card.tier_review_date <= %(today)s)
                                           THEN 'downgrade'
                                           WHEN earned.id IS NOT NULL AND card.tier_review_date <= %(today)s
                                           THEN 'confirm'
                                      END AS change) decision
                         WHERE card.id IN %(ids)s
                   ), updated AS (
                        UPDATE loyalty_card card
                           SET earned_tier_id = review.earned_tier_id,
                               tier_id = CASE WHEN review.change IN ('upgrade', 'downgrade')
                                              THEN COALESCE(card.tier_override_id, review.earned_tier_id)
                                              ELSE card.tier_id END,
                               tier_since = review.tier_since,
                               tier_review_date = review.tier_review_date,
                               write_uid = %(uid)s,
                               write_date = %(now)s
                          FROM review
                         WHERE card.id = review.id AND card.id IN %(ids)s  -- by the ids: no scan of every card
                           AND review.change IS NOT NULL  -- a card whose tier stands is left as it is
                     RETURNING card.id, card.partner_id, review.old_tier_id, review.new_tier_id, review.change
                   )
                   SELECT id, partner_id, old_tier_id, new_tier_id, change FROM updated
                    WHERE change IN ('upgrade', 'downgrade')
                    ORDER BY id""",
                ids=tuple(self.ids),
                measures=self._tier_measures_sql(SQL("since.cutoff")),
                reached=self._tier_reached_sql(),
                today=today,
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        changes = self.env.cr.fetchall()
        self.invalidate_recordset(
            [
                "earned_tier_id",
                "tier_id",
                "tier_since",
                "tier_review_date",
                "write_uid",
                "write_date",
            ]
        )
        return changes

    @api.model
    def _tier_reached_sql(self):
        """Whether the measures of the row ``measure`` reach the thresholds of the ``loyalty_tier`` row ``tier``,
        in SQL: :func:`points_math.thresholds_met`, compared as the floats it compares."""
        minimums = [SQL("COALESCE(tier.%s, 0)::float8", SQL.identifier(f"min_{name}")) for name in points_math.MEASURES]
        values = [SQL("measure.%s::float8", SQL.identifier(name)) for name in points_math.MEASURES]
        unset = [SQL("%s <= 0", minimum) for minimum in minimums]
        met = [
            SQL("(%s > 0 AND %s >= %s)", minimum, value, minimum)
            for minimum, value in zip(minimums, values, strict=True)
        ]
        return SQL(
            "CASE WHEN tier.require_all THEN %s ELSE %s END",
            SQL(" AND ").join(SQL("(%s OR %s)", *pair) for pair in zip(unset, met, strict=True)),
            # A tier without any threshold is reached by everybody (the entry level).
            SQL(" OR ").join([*met, SQL("(%s)", SQL(" AND ").join(unset))]),
        )

    def _write_tier_history(self, changes, today):
        """Write the tier history of ``changes`` (see :meth:`_write_reviewed_tiers`) in one statement, with one
        translated reason per change and tier; return the ids of its lines."""
        if not changes:
            return []
        card_ids, _partner_ids, old_tier_ids, new_tier_ids, kinds = (
            list(column) for column in zip(*changes, strict=True)
        )
        # A reason names the tier reached by an upgrade, the tier left by a downgrade.
        named = {(change, new if change == "upgrade" else old) for _card, _partner, old, new, change in changes}
        tiers = {tier.id: tier for tier in self.env["loyalty.tier"].browse({tier_id for _change, tier_id in named})}
        reasons = {
            (change, tier_id): (
                self.env._("Reached the thresholds of %(tier)s.", tier=tiers[tier_id].name)
                if change == "upgrade"
                else self.env._(
                    "No longer reaches the thresholds of %(tier)s at the review of %(date)s.",
                    tier=tiers[tier_id].name,
                    date=today,
                )
            )
            for change, tier_id in named
        }
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO loyalty_tier_history (card_id, partner_id, program_id, company_id, old_tier_id,
                                                     new_tier_id, change, reason, date, user_id,
                                                     create_uid, create_date, write_uid, write_date)
                   SELECT card.id, card.partner_id, card.program_id, card.company_id, line.old_tier_id,
                          line.new_tier_id, line.change, reason.reason, %(date)s, %(uid)s,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(cards)s::int[], %(old)s::int[], %(new)s::int[], %(changes)s::varchar[])
                          AS line(card_id, old_tier_id, new_tier_id, change)
                     JOIN loyalty_card card ON card.id = line.card_id
                     JOIN unnest(%(reason_changes)s::varchar[], %(reason_tiers)s::int[], %(reasons)s::text[])
                          AS reason(change, tier_id, reason)
                       ON reason.change = line.change
                      AND reason.tier_id = CASE line.change WHEN 'upgrade' THEN line.new_tier_id
                                                            ELSE line.old_tier_id END
                    ORDER BY line.card_id
                RETURNING id""",
                cards=card_ids,
                old=old_tier_ids,
                new=new_tier_ids,
                changes=kinds,
                reason_changes=[change for change, _tier_id in reasons],
                reason_tiers=[tier_id for _change, tier_id in reasons],
                reasons=list(reasons.values()),
                date=fields.Datetime.now(),
                uid=self.env.uid,
                now=now,
            )
        )
        line_ids = sorted(line_id for (line_id,) in self.env.cr.fetchall())
        self.browse(card_ids).invalidate_recordset(["tier_history_ids"])
        return line_ids

    @api.model
    def _write_partner_tiers(self, partner_ids):
        """Write the tier of the contacts ``partner_ids`` from their cards, in one statement: the highest tier
        of their active cards, as ``res.partner._compute_loyalty_tier_id`` computes it."""
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner partner
                      SET loyalty_tier_id = best.tier_id, write_uid = %(uid)s, write_date = %(now)s
                     FROM (SELECT member.id, top.tier_id
                             FROM unnest(%(partners)s::int[]) AS member(id)
                             LEFT JOIN (
                                   -- The cards are found by holder: a tier is not a condition of the scan.
                                   SELECT DISTINCT ON (card.partner_id) card.partner_id, tier.id AS tier_id
                                     FROM loyalty_card card LEFT JOIN loyalty_tier tier ON tier.id = card.tier_id
                                    WHERE card.partner_id = ANY(%(partners)s) AND card.active
                                    ORDER BY card.partner_id, tier.id IS NULL, COALESCE(tier.sequence, 0) DESC,
                                             tier.id DESC
                             ) top ON top.partner_id = member.id) best
                    WHERE partner.id = best.id AND partner.loyalty_tier_id IS DISTINCT FROM best.tier_id
                RETURNING partner.id""",
                partners=sorted(partner_ids),
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        partners = self.env["res.partner"].browse(partner_id for (partner_id,) in self.env.cr.fetchall())
        partners.invalidate_recordset(["loyalty_tier_id", "write_uid", "write_date"])
        partners.modified(["loyalty_tier_id"])  # what shows the tier (status, pricelist) is read again

    def _log_override(self, before, end_before, reason_before):
        """Every change of a manager's override is written in the tier history, with who and why."""
        self.ensure_one()
        if (self.tier_override_id, self.tier_override_end, self.tier_override_reason) == (
            before,
            end_before,
            reason_before,
        ):
            return
        ended = not self.tier_override_id
        self.env["loyalty.tier.history"].sudo()._posting().create(
            {
                "card_id": self.id,
                "old_tier_id": (before or self.earned_tier_id).id,
                "new_tier_id": (self.tier_override_id or self.earned_tier_id).id,
                "change": "override_end" if ended else "override",
                "reason": self.env._("Override ended.")
                if ended
                else self.env._(
                    "%(reason)s (until %(date)s)", reason=self.tier_override_reason, date=self.tier_override_end
                ),
            }
        )

    @api.model
    def _mark_tiers_due(self, partners, company):
        """Mark the member cards of ``partners`` in ``company`` due for a tier review, in one statement.

        A point of sale order does this instead of reviewing the tiers in its sync: the terminal has the
        member's tier reviewed when it shows the receipt (``res.partner.loyalty_pos_member_status``), and
        :meth:`_cron_review_due_tiers` reviews every other due card within minutes. The mark is written in
        the order's transaction, so no purchase's review is lost.
        """
        if not partners:
            return
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_card card SET tier_review_due = TRUE
                    WHERE card.partner_id IN %(partners)s AND card.active AND NOT COALESCE(card.tier_review_due, FALSE)
                      AND (card.company_id IS NULL OR card.company_id = %(company)s)
                      AND EXISTS (SELECT 1 FROM loyalty_program program JOIN loyalty_tier tier
                                               ON tier.program_id = program.id AND tier.active
                                   WHERE program.id = card.program_id AND program.program_type = 'loyalty')""",
                partners=tuple(partners.ids),
                company=company.id,
            )
        )
        self.invalidate_model(["tier_review_due"])

    @api.model
    def _review_due_tiers(self, partners=None, batch_size=500):
        """Review the tiers of the next ``batch_size`` cards due since a purchase (of ``partners`` only, when
        given) and clear their mark; return how many.

        The cards are locked, skipping those another review holds: two reviews at once never review a card
        twice, and a card marked again meanwhile waits for its own review.
        """
        condition = SQL("tier_review_due")
        if partners is not None:
            if not partners:
                return 0
            condition = SQL("tier_review_due AND partner_id IN %s", tuple(partners.ids))
        self.flush_model(["tier_review_due"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM loyalty_card WHERE %s ORDER BY id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED",
                condition,
                batch_size,
            )
        )
        cards = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        if not cards:
            return 0
        cards._update_tiers()
        self.env.cr.execute(SQL("UPDATE loyalty_card SET tier_review_due = FALSE WHERE id IN %s", tuple(cards.ids)))
        self.invalidate_model(["tier_review_due"])
        return len(cards)

    @api.model
    def _cron_review_due_tiers(self, batch_size=500):
        """Review the tiers the point of sale's purchases made due, in committed batches."""
        while done := self._review_due_tiers(batch_size=batch_size):
            if not self.env["ir.cron"]._commit_progress(done):
                break

    @api.model
    def _cron_update_tiers(self, batch_size=1000):
        """End the overrides past their date, then review every member's tier, in committed batches.

        Each batch commits with the last card it reviewed (``loyalty.night.progress``), so a run killed
        midway resumes after it, and nobody is reviewed twice in a day.
        """
        today = fields.Date.context_today(self)
        Progress = self.env["loyalty.night.progress"]
        ended = self.sudo().search([("tier_override_id", "!=", False), ("tier_override_end", "<", today)])
        ended.sudo().write({"tier_override_id": False, "tier_override_end": False, "tier_override_reason": False})
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT card.id FROM loyalty_card card
                    WHERE card.active AND card.partner_id IS NOT NULL
                      AND EXISTS (SELECT 1 FROM loyalty_tier tier
                                   WHERE tier.program_id = card.program_id AND tier.active)
                      AND card.id > %s
                    ORDER BY card.id""",
                Progress._reached("tier_review", today),
            )
        )
        card_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(card_ids), batch_size):
            cards = self.sudo().browse(card_ids[start : start + batch_size])  # every company's members
            cards._update_tiers(today)
            remaining = len(card_ids) - start - len(cards)
            Progress._record("tier_review", today, cards.ids[-1], done=not remaining)
            if not self.env["ir.cron"]._commit_progress(len(cards), remaining=remaining):
                break

    # ------------------------------------------------------------------
    # Referral codes (老带新)
    # ------------------------------------------------------------------

    @api.model
    def _referral_assign_codes(self, programs=None, cards=None):
        """Give a referral code to the cards of ``programs`` (or the ``cards``) that have none, in one statement.

        A code is ten random hexadecimal digits from PostgreSQL's random UUIDs: short enough to type at the
        counter, too many to guess.
        """
        if not (programs or cards):
            return
        self.flush_model(["referral_code", "program_id"])
        where = SQL("program_id IN %s", tuple(programs.ids)) if programs else SQL("id IN %s", tuple(cards.ids))
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_card
                      SET referral_code = upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 10))
                    WHERE referral_code IS NULL AND %s""",
                where,
            )
        )
        self.invalidate_model(["referral_code"])

    @api.model
    def _referral_card_of_code(self, code, company):
        """The active member card whose referral code is ``code``, in a programme of ``company`` with referrals."""
        if not code:
            return self.browse()
        # sudo: a code typed at the counter or in a sign-up link finds its member, whoever types it.
        return self.sudo().search(
            [
                ("referral_code", "=", code),
                ("active", "=", True),
                ("program_id.referral_enabled", "=", True),
                ("program_id.active", "=", True),
                ("company_id", "in", [False, company.id]),
                ("partner_id", "!=", False),
            ],
            limit=1,
        )

    @api.model
    def _member_cards(self, partners, company=None):
        """The cards of ``partners`` in the tiered loyalty programmes of ``company`` (or any)."""
        domain = [
            ("partner_id", "in", partners.ids),
            ("program_id.program_type", "=", "loyalty"),
            ("program_id.tier_ids", "!=", False),
        ]
        if company:
            domain.append(("company_id", "in", [False, company.id]))
        return self.sudo().search(domain)
