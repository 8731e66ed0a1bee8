from odoo.exceptions import AccessError, MissingError
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CustomerFeedbackPortal(CustomerPortal):
    """Customers follow their own complaint cases (record rules keep them to their own)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "feedback_case_count" in counters:
            Case = request.env["customer.feedback.case"]
            values["feedback_case_count"] = Case.search_count([]) if Case.has_access("read") else 0
        return values

    @route(["/my/feedback-cases", "/my/feedback-cases/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_feedback_cases(self, page=1, **kwargs):
        Case = request.env["customer.feedback.case"]
        pager = portal_pager(
            url="/my/feedback-cases", total=Case.search_count([]), page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "feedback_cases",
                "cases": Case.search([], order="opened_date desc", limit=self._items_per_page, offset=pager["offset"]),
                "pager": pager,
            }
        )
        return request.render("customer_feedback.portal_my_feedback_cases", values)

    @route(["/my/feedback-cases/<int:case_id>"], type="http", auth="public", website=True)
    def portal_my_feedback_case(self, case_id, access_token=None, **kwargs):
        try:
            case_sudo = self._document_check_access("customer.feedback.case", case_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            {"page_name": "feedback_case", "case": case_sudo},
            "my_feedback_cases_history",
            False,
        )
        return request.render("customer_feedback.portal_my_feedback_case", values)
