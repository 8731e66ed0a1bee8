from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestStaffKpis(CustomerFeedbackCommon):
    """Feedback managers read, per employee and month, the NPS and satisfaction of the customers they
    served, the top-ups they sold, their follow-ups done on time and the complaints they resolved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.feedback_invitation_interval_days = 0
        cls._create_rule()
        Employee = cls.env["hr.employee"].sudo()
        cls.zhang = Employee.create({"name": "Zhang Min", "company_id": cls.company.id})
        # Chen is also the stored-value clerk: their top-ups, follow-ups and cases name them.
        cls.chen = Employee.create({"name": "Chen Jie", "company_id": cls.company.id, "user_id": cls.sv_user.id})
        cls.pos_config.sudo().write(
            {"module_pos_hr": True, "basic_employee_ids": [Command.link(cls.zhang.id), Command.link(cls.chen.id)]}
        )
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.plan = cls.env["stored.value.followup.plan"].create(
            {"name": "Call card holders", "company_id": cls.company.id, "activity_type_id": cls.call.id}
        )

    def served_answers(self, employee, scores, when):
        """Customers served by ``employee`` answer the NPS survey with ``scores`` at ``when``."""
        partners = self.env["res.partner"].create(
            [{"name": f"{employee.name} customer {n}"} for n in range(len(scores))]
        )
        for partner, score in zip(partners, scores, strict=True):
            order, _synced = self.sell_at_pos(partner, employee_id=employee.id)
            with freeze_time(when):
                self.answer(partner, nps=score, invitation=order.feedback_invitation_id)

    def staff(self, aggregates, user=None, domain=()):
        self.env.flush_all()  # the view reads the tables, as the next request would
        Report = self.env["customer.feedback.staff.report"]
        Report = Report.with_user(user or self.feedback_manager)
        return Report._read_group(
            [("company_id", "=", self.company.id), *domain],
            ["employee_id", "month:month"],
            aggregates,
            order="employee_id, month:month",
        )

    def test_nps_of_the_customers_each_employee_served(self):
        # March: Zhang 10, 9, 3 (2 promoters, 1 detractor: NPS 33.3); Chen 2 (NPS -100).
        # April: Chen 10, 7 (1 promoter, 1 passive: NPS 50).
        self.served_answers(self.zhang, [10, 9, 3], "2026-03-12 10:00:00")
        self.served_answers(self.chen, [2], "2026-03-20 10:00:00")
        self.served_answers(self.chen, [10, 7], "2026-04-08 10:00:00")
        rows = self.staff(["answer_count:sum", "promoter_count:sum", "detractor_count:sum", "nps:avg"])
        self.assertEqual(
            [
                (employee.name, month, count, promoters, detractors, round(nps, 2))
                for employee, month, count, promoters, detractors, nps in rows
            ],
            [
                ("Chen Jie", date(2026, 3, 1), 1, 0, 1, -100.0),
                ("Chen Jie", date(2026, 4, 1), 2, 1, 0, 50.0),
                ("Zhang Min", date(2026, 3, 1), 3, 2, 1, 33.33),
            ],
        )
        # Over both months Chen's NPS is (1 - 1) / 3 answers: 0, not the mean of -100 and 50.
        [(nps,)] = self.env["customer.feedback.staff.report"]._read_group(
            [("employee_id", "=", self.chen.id)], [], ["nps:avg"]
        )
        self.assertEqual(nps, 0.0)

    def test_top_ups_follow_ups_and_complaints_of_an_employee(self):
        card = self._create_card(state="active")
        with freeze_time("2026-03-03 09:00:00"):
            self.top_up(card, 100.0, user=self.sv_user)
            self.top_up(card, 250.0, user=self.sv_user)
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "activity_type_id": self.call.id,
                    "user_id": self.sv_user.id,
                    "date_deadline": deadline,
                    "stored_value_followup_plan_id": self.plan.id,
                }
                for partner, deadline in (
                    (self.holder, date(2026, 3, 10)),
                    (self.other_holder, date(2026, 3, 5)),
                    (self.portal_partner, date(2026, 3, 31)),
                )
            ]
        )
        with freeze_time("2026-03-08 12:00:00"):
            # The first is done before its due date, the second after it; the third stays to do.
            activities[:2].action_done()
            self.env.flush_all()
        cases = self.env["customer.feedback.case"]
        for opened, resolved in (
            ("2026-03-02 10:00:00", "2026-03-03 16:00:00"),
            ("2026-03-05 08:00:00", "2026-03-05 14:00:00"),
        ):
            with freeze_time(opened):
                case = cases.create({"name": "Cold coffee", "partner_id": self.holder.id, "user_id": self.sv_user.id})
            case.resolution_note = "<p>Apologised.</p>"
            with freeze_time(resolved):
                case.action_resolve()
            cases |= case
        rows = self.staff(
            [
                "top_up_count:sum",
                "top_up_amount:sum",
                "followup_count:sum",
                "followup_on_time_count:sum",
                "followup_on_time_rate:avg",
                "case_count:sum",
                "resolution_hours:avg",
            ]
        )
        # Hours to resolve: 30 and 6, 18 on average.
        self.assertEqual(rows, [(self.chen, date(2026, 3, 1), 2, 350.0, 2, 1, 50.0, 2, 18.0)])

    def test_only_feedback_managers_of_the_company_read_it(self):
        self.served_answers(self.zhang, [10], "2026-03-12 10:00:00")
        Report = self.env["customer.feedback.staff.report"]
        for user in (self.feedback_user, self.sv_manager):
            with self.assertRaises(AccessError):
                Report.with_user(user).search([])
        self.assertTrue(Report.with_user(self.feedback_manager).search([("company_id", "=", self.company.id)]))
        other_company = self.setup_other_company(name="Other Company")["company"]
        other_manager = self._create_sv_user(
            "fb_manager_b", "Other Service Manager", ["customer_feedback.group_customer_feedback_manager"], []
        )
        other_manager.write({"company_ids": [Command.set(other_company.ids)], "company_id": other_company.id})
        self.assertFalse(Report.with_user(other_manager).search([]))
        self.assertEqual(Report.with_user(other_manager)._read_group([], [], ["__count"]), [(0,)])
