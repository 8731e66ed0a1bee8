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
        return values

    @route(["/my/loyalty"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "loyalty_tiers", "cards": self._loyalty_member_cards()})
        return request.render("loyalty_tiers.portal_my_loyalty", values)

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
