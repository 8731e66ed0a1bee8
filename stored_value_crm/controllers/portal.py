from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# The consent checkboxes of "My details" (``portal_my_details_stored_value_consent``), per channel.
CONSENT_FORM_FIELDS = {
    "stored_value_consent_email": "email",
    "stored_value_consent_sms": "sms",
    "stored_value_consent_phone": "phone",
}


class StoredValuePortal(CustomerPortal):
    """Card holders see their own cards, balances and ledgers, download statements, and say how they may
    be contacted."""

    def _create_or_update_address(self, partner_sudo, **form_data):
        """The customer's own details may carry their consent per channel (an unticked box is not sent:
        the hidden ``stored_value_consent_form`` says the boxes were on the form)."""
        if not form_data.pop("stored_value_consent_form", None):
            return super()._create_or_update_address(partner_sudo, **form_data)
        consents = {channel: bool(form_data.pop(name, None)) for name, channel in CONSENT_FORM_FIELDS.items()}
        partner_sudo, feedback = super()._create_or_update_address(partner_sudo, **form_data)
        if "redirectUrl" in feedback and partner_sudo == request.env.user.partner_id:
            partner_sudo._stored_value_set_consent(consents, "portal")
        return partner_sudo, feedback

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "stored_value_card_count" in counters:
            Card = request.env["stored.value.card"]
            values["stored_value_card_count"] = (
                Card.search_count([("state", "!=", "draft")]) if Card.has_access("read") else 0
            )
        return values

    def _stored_value_card(self, card_id):
        """The card, if the logged-in user may read it (record rules keep portal users to their own)."""
        card = request.env["stored.value.card"].browse(card_id).exists()
        try:
            card.check_access("read")
        except AccessError:
            return None
        return card or None

    @route(["/my/stored-value"], type="http", auth="user", website=True)
    def portal_my_stored_value_cards(self, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "stored_value",
                "cards": request.env["stored.value.card"].search([("state", "!=", "draft")]),
            }
        )
        return request.render("stored_value_crm.portal_my_stored_value_cards", values)

    @route(["/my/stored-value/<int:card_id>"], type="http", auth="user", website=True)
    def portal_my_stored_value_card(self, card_id, page=1, **kwargs):
        card = self._stored_value_card(card_id)
        if not card:
            return request.redirect("/my/stored-value")
        Ledger = request.env["stored.value.ledger"]
        domain = [("card_id", "=", card.id)]
        pager = portal_pager(
            url=f"/my/stored-value/{card.id}",
            total=Ledger.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        values = self._prepare_portal_layout_values()
        today = fields.Date.context_today(card)
        values.update(
            {
                "page_name": "stored_value_card",
                "card": card,
                "entries": Ledger.search(domain, limit=self._items_per_page, offset=pager["offset"]),
                "pager": pager,
                "statement_from": today.replace(day=1),
                "statement_to": today,
            }
        )
        return request.render("stored_value_crm.portal_my_stored_value_card", values)

    @route(["/my/stored-value/<int:card_id>/statement"], type="http", auth="user", website=True)
    def portal_my_stored_value_statement(self, card_id, date_from=None, date_to=None, **kwargs):
        card = self._stored_value_card(card_id)
        if not card:
            return request.redirect("/my/stored-value")
        data = {"date_from": date_from, "date_to": date_to}
        try:
            request.env["report.stored_value_crm.report_stored_value_statement"]._period(data)
        except (UserError, ValueError):
            return request.redirect(f"/my/stored-value/{card.id}")
        # sudo: rendering needs the report action and company layout, which portal users cannot read;
        # the card itself was checked above.
        pdf, _format = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("stored_value_crm.report_stored_value_statement", card.ids, data=data)
        )
        headers = [
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", f'attachment; filename="statement-{card.name[-4:]}.pdf"'),
        ]
        return request.make_response(pdf, headers=headers)
