from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestBatchStoreEmployee(LoyaltyTiersPosCommon):
    """Point batches say at which point of sale, for which store and by which employee the points were earned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store = cls.env["crm.team"].sudo().create({"name": "Xuhui Store", "company_id": cls.company.id})
        cls.desk = cls.env["crm.team"].sudo().create({"name": "Member Desk", "company_id": cls.company.id})
        Employee = cls.env["hr.employee"].sudo()
        cls.zhang = Employee.create({"name": "Zhang Min", "company_id": cls.company.id})
        cls.clerk_employee = Employee.create(
            {"name": "Stored Value Clerk", "company_id": cls.company.id, "user_id": cls.sv_user.id}
        )
        cls.env["crm.team.member"].sudo().create({"crm_team_id": cls.desk.id, "user_id": cls.sv_user.id})
        cls.config.sudo().write(
            {"module_pos_hr": True, "crm_team_id": cls.store.id, "basic_employee_ids": [Command.link(cls.zhang.id)]}
        )

    def member_card(self):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", self.holder.id), ("program_id", "=", self.program.id)]
        )

    def test_points_of_a_pos_order_name_the_shop_its_store_and_the_cashier(self):
        data = self.member_order(5)
        data["employee_id"] = self.zhang.id
        order = self.sync(data, user=self.pos_cashier)
        batch = self.batches(self.member_card())
        self.assertEqual(batch.source_key, f"pos.order,{order.id}/card/{batch.card_id.id}")
        self.assertEqual(
            (batch.pos_config_id, batch.crm_team_id, batch.employee_id), (self.config, self.store, self.zhang)
        )
        groups = self.env["loyalty.point.batch"]._read_group(
            [("id", "=", batch.id)], ["pos_config_id", "employee_id"], ["points:sum"]
        )
        self.assertEqual(groups, [(self.config, self.zhang, 300.0)])

    def test_points_of_a_back_office_top_up_name_the_clerk_as_its_entry_does(self):
        self.program.topup_points_per_unit = 1.0
        entry = self.top_up(self.card, 100.0, user=self.sv_user)
        batch = self.batches(self.member_card())
        self.assertEqual(batch.points, 100.0)
        self.assertEqual((entry.crm_team_id, entry.employee_id), (self.desk, self.clerk_employee))
        self.assertEqual(
            (batch.pos_config_id, batch.crm_team_id, batch.employee_id),
            (self.env["pos.config"], self.desk, self.clerk_employee),
        )

    def test_nobody_relabels_a_batch(self):
        data = self.member_order(1)
        data["employee_id"] = self.zhang.id
        self.sync(data, user=self.pos_cashier)
        batch = self.batches(self.member_card())
        for user in (self.sv_manager, self.tier_manager):
            for values in ({"employee_id": self.clerk_employee.id}, {"pos_config_id": False}, {"crm_team_id": False}):
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    batch.with_user(user).write(values)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            batch.sudo().write({"employee_id": self.clerk_employee.id})
        self.assertEqual((batch.pos_config_id, batch.employee_id), (self.config, self.zhang))
