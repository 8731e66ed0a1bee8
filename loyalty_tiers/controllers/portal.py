from uuid import uuid4

from odoo import fields
from odoo.exceptions import UserError
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal


class LoyaltyTiersPortal(CustomerPortal):
    """Members see their tier, points, points about to expire and progress to the next tier, and keep
    their own contact details and birthday right."""

    def _loyalty_member_cards(self):
        partner = request.env.user.partner_id.commercial_partner_id
        # sudo: portal users have no access to loyalty cards; these are the user's own, found by partner.
        return request.env["loyalty.card"]._member_cards(partner | partner.child_ids).filtered("active")

    def _loyalty_data_issues(self):
        """What the logged-in member should complete or correct on their account page."""
        partner = request.env.user.partner_id
        if not partner.is_loyalty_member:
            return []
        issues = []
        if partner.member_data_missing_phone:
            issues.append(request.env._("your phone number"))
        elif partner.member_data_invalid_phone:
            issues.append(request.env._("a valid phone number"))
        if partner.member_data_invalid_email:
            issues.append(request.env._("a valid email"))
        if partner.member_data_missing_birthday:
            issues.append(request.env._("your birthday"))
        return issues

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_member_card_count" in counters:
            values["loyalty_member_card_count"] = len(self._loyalty_member_cards())
        if "loyalty_points_shop_reward_count" in counters:
            Redemption = request.env["loyalty.redemption"]
            values["loyalty_points_shop_reward_count"] = sum(
                len(Redemption._catalogue(card)) for card in self._points_shop_cards()
            )
        return values

    @route(["/my/loyalty"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "loyalty_tiers", "cards": self._loyalty_member_cards()})
        return request.render("loyalty_tiers.portal_my_loyalty", values)

    def _points_shop_cards(self):
        """The member cards the logged-in user may spend: their own and their company's, not those of
        the company's other contacts, which they only see."""
        partner = request.env.user.partner_id
        holders = partner | partner.commercial_partner_id
        return self._loyalty_member_cards().filtered(lambda card: card.partner_id in holders)

    def _points_shop_values(self, redeemed=None, error=None):
        """The points shop page: each member card with its rewards, a fresh request key per form."""
        cards = self._points_shop_cards()
        Redemption = request.env["loyalty.redemption"].sudo()  # sudo: the member's own cards, found above
        shops = []
        for card in cards:
            shop = Redemption._catalogue_data(card)
            if shop["rewards"] or shop["history"]:
                shops.append({**shop, "card": card, "key": str(uuid4())})
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "loyalty_points_shop", "shops": shops, "error": error, "redeemed": None})
        if redeemed:
            redemption = Redemption.browse(redeemed).exists()
            if redemption.card_id in cards:
                values["redeemed"] = redemption._points_shop_values()[0]
        return values

    @route(["/my/points-shop"], type="http", auth="user", website=True)
    def portal_my_points_shop(self, redeemed=None, **kwargs):
        try:
            redeemed = int(redeemed) if redeemed else None
        except ValueError:
            redeemed = None
        return request.render("loyalty_tiers.portal_my_points_shop", self._points_shop_values(redeemed))

    @route(["/my/points-shop/redeem"], type="http", auth="user", website=True, methods=["POST"])
    def portal_points_shop_redeem(self, card_id=None, reward_id=None, key=None, **kwargs):
        """Redeem a reward from the member's own card; the points and the code are the server's."""
        try:
            card = self._points_shop_cards().filtered(lambda card: str(card.id) == str(card_id))
            if not card:
                raise UserError(request.env._("This is not one of your membership cards."))
            reward = request.env["loyalty.reward"].sudo().browse(int(reward_id or 0)).exists()
            if not reward:
                raise UserError(request.env._("This reward is no longer in the points shop."))
            # sudo: the card is the portal user's own; _redeem checks the reward, the key and the points,
            # and a refusal rolls back whatever it wrote.
            with request.env.cr.savepoint():
                redemption = request.env["loyalty.redemption"].sudo()._redeem(card, reward, key, "portal")
        except (UserError, ValueError) as error:
            message = error.args[0] if isinstance(error, UserError) else request.env._("This request is malformed.")
            return request.render("loyalty_tiers.portal_my_points_shop", self._points_shop_values(error=message))
        return request.redirect(f"/my/points-shop?redeemed={redemption.id}")

    @route()
    def home(self, **kw):
        response = super().home(**kw)
        if hasattr(response, "qcontext"):
            response.qcontext["loyalty_data_issues"] = self._loyalty_data_issues()
        return response

    def _prepare_my_account_rendering_values(self, *args, **kwargs):
        values = super()._prepare_my_account_rendering_values(*args, **kwargs)
        partner = request.env.user.partner_id
        values["loyalty_birthday_editable"] = partner.is_loyalty_member
        return values

    def _create_or_update_address(self, partner_sudo, **form_data):
        """The member's own main address may carry their birthday, moved at most once a year."""
        if "loyalty_birthday" not in form_data:
            return super()._create_or_update_address(partner_sudo, **form_data)
        raw = (form_data.pop("loyalty_birthday") or "").strip()
        if not partner_sudo or partner_sudo != request.env.user.partner_id:
            return super()._create_or_update_address(partner_sudo, **form_data)
        try:
            birthday = fields.Date.to_date(raw) if raw else False
            if birthday and birthday > fields.Date.context_today(partner_sudo):
                raise ValueError(raw)
        except ValueError:
            return partner_sudo, {
                "invalid_fields": ["loyalty_birthday"],
                "messages": [request.env._("Please enter your birthday as a date in the past.")],
            }
        if birthday != partner_sudo.loyalty_birthday:
            try:
                # The same check as in the back office, made as the portal user before the sudo write below.
                partner_sudo._loyalty_check_birthday_change(birthday)
            except UserError as error:
                return partner_sudo, {"invalid_fields": ["loyalty_birthday"], "messages": [error.args[0]]}
        partner_sudo, feedback = super()._create_or_update_address(partner_sudo, **form_data)
        if "redirectUrl" in feedback and birthday != partner_sudo.loyalty_birthday:
            partner_sudo.loyalty_birthday = birthday
        return partner_sudo, feedback
