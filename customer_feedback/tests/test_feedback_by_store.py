from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackByStore(CustomerFeedbackCommon):
    """Feedback answers are reported by the store and the employee who served the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.feedback_invitation_interval_days = 0
        cls.rule = cls._create_rule()
        cls.store = cls.env["crm.team"].sudo().create({"name": "Nanjing Road Store", "company_id": cls.company.id})
        Employee = cls.env["hr.employee"].sudo()
        cls.zhang = Employee.create({"name": "Zhang Min", "company_id": cls.company.id})
        cls.cashier_employee = Employee.create(
            {"name": "Shop Cashier", "company_id": cls.company.id, "user_id": cls.cashier.id}
        )
        cls.pos_config.sudo().write(
            {"module_pos_hr": True, "crm_team_id": cls.store.id, "basic_employee_ids": [Command.link(cls.zhang.id)]}
        )

    def test_answers_group_under_the_store_and_the_employee_who_served(self):
        first, second, third = self.env["res.partner"].create([{"name": f"Member {n}"} for n in "ABC"])
        for partner, nps, values in ((first, 10, {"employee_id": self.zhang.id}), (second, 2, {}), (third, 9, {})):
            order, _synced = self.sell_at_pos(partner, **values)
            invitation = order.feedback_invitation_id
            self.answer(partner, nps=nps, invitation=invitation)
        invitation = self.env["customer.feedback.invitation"].search([("partner_id", "=", first.id)])
        self.assertEqual(
            (invitation.pos_config_id, invitation.crm_team_id, invitation.employee_id),
            (self.pos_config, self.store, self.zhang),
        )
        answer = invitation.user_input_id
        self.assertEqual((answer.feedback_crm_team_id, answer.feedback_employee_id), (self.store, self.zhang))

        groups = self.env["customer.feedback.report"]._read_group(
            [("partner_id", "in", (first | second | third).ids)], ["crm_team_id", "employee_id"], ["nps:avg", "__count"]
        )
        self.assertEqual(
            sorted(groups, key=lambda group: group[1].name),
            # Without an employee logged on the order, the cashier's user's employee served.
            [(self.store, self.cashier_employee, 0.0, 2), (self.store, self.zhang, 100.0, 1)],
        )

    def test_nobody_moves_an_answer_to_another_store_or_employee(self):
        order, _synced = self.sell_at_pos(self.holder, employee_id=self.zhang.id)
        invitation = order.feedback_invitation_id
        self.assertEqual(invitation.employee_id, self.zhang)
        for user in (self.feedback_user, self.feedback_manager):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                invitation.with_user(user).write({"employee_id": self.cashier_employee.id})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                invitation.with_user(user).write({"crm_team_id": False})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            invitation.user_input_id.sudo().write({"feedback_employee_id": self.cashier_employee.id})
        self.assertEqual(
            (invitation.employee_id, invitation.user_input_id.feedback_employee_id), (self.zhang, self.zhang)
        )
