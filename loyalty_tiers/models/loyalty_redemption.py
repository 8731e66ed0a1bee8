import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from .loyalty_card import POINT_DIGITS

# Who serves members at the till sees their tiers and points (with point_of_sale's cashier group).
POS_MEMBER_GROUP = "loyalty_tiers.group_loyalty_tier_user"


class LoyaltyRedemption(models.Model):
    """One exchange of a member's points for a reward of the points shop (积分商城): the points it took
    and the coupon or gift card it issued. Written by :meth:`_redeem` only, never changed afterwards."""

    _name = "loyalty.redemption"
    _inherit = ["stored.value.guard"]
    _description = "Points Shop Redemption"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", string="Member Card", required=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True)
    company_id = fields.Many2one(related="card_id.company_id", store=True)
    reward_id = fields.Many2one("loyalty.reward", required=True, ondelete="restrict")
    points = fields.Float(required=True, help="What the reward cost when it was redeemed.")
    coupon_id = fields.Many2one("loyalty.card", string="Issued Code", required=True, ondelete="restrict")
    channel = fields.Selection([("portal", "Portal"), ("pos", "Point of Sale")], required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", required=True, default=lambda self: self.env.user)
    key = fields.Char(required=True, readonly=True, copy=False, groups="base.group_system")

    _key_unique = models.Constraint("UNIQUE(key)", "This request already redeemed a reward.")
    # Every stored field (the related ones would write through to the card).
    _protected_fields = frozenset(
        {
            "card_id",
            "partner_id",
            "program_id",
            "company_id",
            "reward_id",
            "points",
            "coupon_id",
            "channel",
            "date",
            "user_id",
            "key",
        }
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Redemptions of the points shop cannot be deleted."))

    @api.model
    def _request_key(self, card, key):
        """The redemption key of the request ``key`` (a UUID the page or the terminal made) for ``card``:
        scoped to the card, so that a key sent for another member cannot reach this one's redemption."""
        try:
            request_uuid = uuid.UUID(str(key))
        except ValueError:
            raise UserError(self.env._("This redemption request is malformed; reload the page.")) from None
        return f"card/{card.id}/{request_uuid}"

    @api.model
    def _redeem(self, card, reward, key, channel):
        """Exchange ``reward``'s points for its code, for the member of ``card``, once per request ``key``.

        The caller has checked that whoever asks may redeem from ``card``. The card is locked and its
        points read afresh; a card short of points is refused with nothing written. A key sent again
        returns the redemption it made.
        """
        card.ensure_one()
        reward.ensure_one()
        request_key = self._request_key(card, key)
        Redemption = self.sudo()._posting()  # the trail of a redemption this method checked
        replay = Redemption.search([("key", "=", request_key)], limit=1)
        if replay:
            if replay.reward_id != reward:
                raise UserError(self.env._("This request already redeemed another reward."))
            return replay.with_env(self.env)
        if reward not in self._catalogue(card):
            raise UserError(
                self.env._(
                    "Reward “%(reward)s” is not in the points shop of card %(card)s.",
                    reward=reward.description,
                    card=card.code,
                )
            )
        card._lock_points()
        description = self.env._("Points shop: %(reward)s", reward=reward.description)
        card._redeem_points(reward.required_points, description)
        # The member is told the code by their consented channels (message type Coupon Given).
        coupon = reward.points_shop_program_id._issue_coupon(
            card.partner_id, f"points_shop/{request_key}", description, points=reward.points_shop_value or None
        )
        return Redemption.create(
            {
                "card_id": card.id,
                "reward_id": reward.id,
                "points": reward.required_points,
                "coupon_id": coupon.id,
                "channel": channel,
                "key": request_key,
            }
        ).with_env(self.env)

    @api.model
    def _catalogue(self, card):
        """The rewards of the points shop of ``card``'s programme that can issue a code now, to its member's
        tier (a member-only reward is in the shop of its tiers only)."""
        return (
            card.program_id.reward_ids.sudo()  # sudo: the shop is shown to members and cashiers alike
            .filtered(
                lambda reward: (
                    reward.points_shop and reward.points_shop_program_id.active and reward._tier_allows(card.partner_id)
                )
            )
            .sorted(lambda reward: (reward.required_points, reward.id))
        )

    @api.model
    def _catalogue_data(self, card):
        """The points shop of ``card`` (sudo) as the portal and the POS show it."""
        return {
            "card_id": card.id,
            "points": card.points,
            "rewards": [
                {
                    "id": reward.id,
                    "name": reward.description,
                    "points": reward.required_points,
                    "program": reward.points_shop_program_id.name,
                    "affordable": float_compare(card.points, reward.required_points, precision_digits=POINT_DIGITS)
                    >= 0,
                }
                for reward in self._catalogue(card)
            ],
            "history": self.sudo().search([("card_id", "=", card.id)], limit=10)._points_shop_values(),
        }

    def _points_shop_values(self):
        """What the member and the cashier are shown of these redemptions."""
        return [
            {
                "id": redemption.id,
                "date": fields.Datetime.to_string(redemption.date),
                "reward": redemption.reward_id.description,
                "points": redemption.points,
                "code": redemption.coupon_id.code,
                "program": redemption.coupon_id.program_id.name,
            }
            for redemption in self
        ]

    # ------------------------------------------------------------------
    # POS endpoints: the cashier redeems for the member they have selected
    # ------------------------------------------------------------------

    @api.model
    def _check_pos_member_service(self):
        """Refuse whoever does not both run a till and serve loyalty members."""
        user = self.env.user
        if not all(user.has_group(group) for group in ("point_of_sale.group_pos_user", POS_MEMBER_GROUP)):
            raise AccessError(self.env._("Only a cashier who serves loyalty members may use the points shop."))

    @api.model
    def pos_points_shop(self, partner_id):
        """The points shop of the customer ``partner_id``: per member card, its points, the rewards it can
        redeem and its last redemptions."""
        self._check_pos_member_service()
        partner = self.env["res.partner"].browse(partner_id if isinstance(partner_id, int) else 0).exists()
        partner.check_access("read")
        # sudo: points and codes of the member the cashier serves, read by the checked flow.
        cards = self.env["loyalty.card"]._member_cards(partner, self.env.company).filtered("active")
        return [
            {**self._catalogue_data(card), "program_name": card.program_id.name}
            for card in cards
            if self._catalogue(card)
        ]

    @api.model
    def pos_redeem(self, card_id, reward_id, key):
        """Redeem ``reward_id`` for the member of ``card_id`` at the till, once per request ``key``."""
        self._check_pos_member_service()
        card = self.env["loyalty.card"].browse(card_id if isinstance(card_id, int) else 0).exists()
        card.check_access("read")  # the company rules of the cashier
        if not card or card not in card._member_cards(card.partner_id, self.env.company) or not card.active:
            raise UserError(self.env._("This is not the card of a loyalty member."))
        reward = self.env["loyalty.reward"].sudo().browse(reward_id if isinstance(reward_id, int) else 0).exists()
        if not reward:
            raise UserError(self.env._("This reward is no longer in the points shop."))
        card = card.sudo()  # sudo: the checked flow books the member's points and issues the code
        redemption = self._redeem(card, reward, key, "pos")
        return {"redemption": redemption.sudo()._points_shop_values()[0], **self._catalogue_data(card)}
