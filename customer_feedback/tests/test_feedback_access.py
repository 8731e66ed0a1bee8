from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackAccess(CustomerFeedbackCommon):
    """Feedback users handle cases, managers configure and compensate, portal customers see their own cases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Case = cls.env["customer.feedback.case"]
        cls.own_case = Case.create({"name": "Rude cashier", "partner_id": cls.portal_partner.id})
        cls.other_case = Case.create({"name": "Cold coffee", "partner_id": cls.holder.id})

    def test_feedback_user_handles_cases_but_configures_nothing(self):
        Case = self.env["customer.feedback.case"].with_user(self.feedback_user)
        case = Case.create({"name": "Billing mistake", "partner_id": self.holder.id})
        case.action_start()
        self.assertEqual(case.state, "in_progress")
        self.assertTrue(self.env["survey.user_input"].with_user(self.feedback_user).has_access("read"))
        with self.assertRaises(AccessError):
            self._create_rule().with_user(self.feedback_user).write({"every_nth": 2})
        with self.assertRaises(AccessError):
            self.env["customer.feedback.sla"].with_user(self.feedback_user).create(
                {"severity": "low", "company_id": self.company.id, "resolution_hours": 10, "reminder_hours": 1}
            )
        with self.assertRaises(AccessError):
            case.unlink()

    def test_manager_configures_rules_and_service_levels(self):
        rule = self._create_rule().with_user(self.feedback_manager)
        rule.every_nth = 4
        self.assertEqual(rule.every_nth, 4)
        sla = (
            self.env["customer.feedback.sla"]
            .with_user(self.feedback_manager)
            .search([("company_id", "=", self.company.id), ("severity", "=", "urgent")])
        )
        sla.resolution_hours = 2
        self.assertEqual(sla.resolution_hours, 2)

    def test_people_without_feedback_rights_see_no_case(self):
        with self.assertRaises(AccessError):
            self.env["customer.feedback.case"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.own_case.with_user(self.cashier).read(["name"])

    def test_portal_customer_sees_own_cases_and_nobody_elses_answers(self):
        Case = self.env["customer.feedback.case"].with_user(self.portal_user)
        self.assertEqual(Case.search([]), self.own_case)
        with self.assertRaises(AccessError):
            self.other_case.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.own_case.with_user(self.portal_user).write({"state": "closed"})
        others_answer = self.answer(self.holder, nps=3)
        with self.assertRaises(AccessError):
            others_answer.with_user(self.portal_user).read(["feedback_nps_score"])
        with self.assertRaises(AccessError):
            self.env["customer.feedback.report"].with_user(self.portal_user).search([])
