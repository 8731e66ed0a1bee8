from odoo.fields import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestStoredValueDashboardTour(HttpCase):
    """In Chromium, on the demo data: a stored-value manager, with no other right, opens Dashboards →
    Stored Value and sees this month's figures, none empty or zero."""

    def test_stored_value_manager_sees_this_months_figures(self):
        if not self.env.ref("customer_feedback.demo_pos_config_huaihai", raise_if_not_found=False):
            self.skipTest("needs customer_feedback's demo population")
        company = self.env.ref("base.main_company")
        self.env["res.users"].with_context(no_reset_password=True).create(
            {
                "login": "sv_dashboard_manager",
                "password": "sv_dashboard_manager",
                "name": "Stored Value Dashboard Manager",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("stored_value_crm.group_stored_value_manager").id,
                        ]
                    )
                ],
            }
        )
        self.start_tour("/odoo/dashboards", "StoredValueDashboardTour", login="sv_dashboard_manager")
