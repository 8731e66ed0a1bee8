from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal


class LoyaltyTiersPortal(CustomerPortal):
    """Members see their tier, points, points about to expire and progress to the next tier."""

    def _loyalty_member_cards(self):
        partner = request.env.user.partner_id.commercial_partner_id
        # sudo: portal users have no access to loyalty cards; these are the user's own, found by partner.
        return request.env["loyalty.card"]._member_cards(partner | partner.child_ids).filtered("active")

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_member_card_count" in counters:
            values["loyalty_member_card_count"] = len(self._loyalty_member_cards())
        return values

    @route(["/my/loyalty"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "loyalty_tiers", "cards": self._loyalty_member_cards()})
        return request.render("loyalty_tiers.portal_my_loyalty", values)
