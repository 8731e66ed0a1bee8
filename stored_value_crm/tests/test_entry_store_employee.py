import importlib.util
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import StoredValuePosCommon

MIGRATION = Path(__file__).parents[1] / "migrations" / "19.0.1.3.0" / "post-migration.py"


@tagged("post_install", "-at_install")
class TestEntryStoreEmployee(StoredValuePosCommon):
    """Every ledger entry says at which point of sale, for which store and by which employee it was made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store = cls.env["crm.team"].sudo().create({"name": "Jing'an Store", "company_id": cls.company.id})
        cls.desk = cls.env["crm.team"].sudo().create({"name": "Service Desk", "company_id": cls.company.id})
        Employee = cls.env["hr.employee"].sudo()
        cls.zhang = Employee.create({"name": "Zhang Min", "company_id": cls.company.id})
        cls.chen = Employee.create({"name": "Chen Jie", "company_id": cls.company.id})
        cls.clerk_employee = Employee.create(
            {"name": "Stored Value Clerk", "company_id": cls.company.id, "user_id": cls.sv_user.id}
        )
        cls.env["crm.team.member"].sudo().create({"crm_team_id": cls.desk.id, "user_id": cls.sv_user.id})
        # The shop logs its cashiers in with pos_hr.
        cls.config.sudo().write(
            {
                "module_pos_hr": True,
                "crm_team_id": cls.store.id,
                "basic_employee_ids": [Command.link(cls.zhang.id), Command.link(cls.chen.id)],
            }
        )

    def assertServed(self, entries, config, team, employee):
        for entry in entries:
            self.assertEqual(
                (entry.pos_config_id, entry.crm_team_id, entry.employee_id), (config, team, employee), entry.name
            )

    def test_card_payment_at_the_till_names_the_shop_its_store_and_the_cashier(self):
        self.top_up(self.card, 100.0)
        order = self.sync(
            self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], employee_id=self.zhang.id),
            user=self.pos_cashier,
        )
        entry = order.payment_ids.stored_value_ledger_id
        self.assertEqual(entry.entry_type, "spend")
        self.assertServed(entry, self.config, self.store, self.zhang)

        # The report groups by store and by who served.
        groups = self.env["stored.value.ledger"]._read_group(
            [("card_id", "=", self.card.id), ("entry_type", "=", "spend")],
            ["crm_team_id", "employee_id"],
            ["amount:sum"],
        )
        self.assertEqual(groups, [(self.store, self.zhang, -60.0)])

    def test_top_up_sold_at_the_till_and_its_bonus_name_the_cashier(self):
        self._create_rule(100.0, 10.0)
        order = self.sync(
            self.card_order([self.top_up_line(100.0)], [(self.cash_method, 100.0)], employee_id=self.chen.id),
            user=self.pos_cashier,
        )
        entries = self.card.ledger_ids
        self.assertEqual(sorted(entries.mapped("entry_type")), ["bonus", "topup"])
        self.assertEqual(order.lines.stored_value_ledger_id.source_ref, order)
        self.assertServed(entries, self.config, self.store, self.chen)

    def test_back_office_top_up_names_the_clerk_and_their_team(self):
        entry = self.top_up(self.card, 100.0, user=self.sv_user)
        self.assertEqual(entry.entry_type, "topup")
        self.assertServed(entry, self.env["pos.config"], self.desk, self.clerk_employee)

    def test_a_manager_cannot_relabel_an_entry(self):
        entry = self.top_up(self.card, 100.0, user=self.sv_user)
        for values in (
            {"employee_id": self.zhang.id},
            {"pos_config_id": self.config.id},
            {"crm_team_id": self.store.id},
        ):
            # The ledger refuses every write, as for its amounts (with a user error saying what to do).
            with self.assertRefused("reversing entry"):
                entry.with_user(self.sv_manager).write(values)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["stored.value.ledger"].with_user(self.sv_manager).create(
                {
                    "card_id": self.card.id,
                    "partner_id": self.holder.id,
                    "company_id": self.company.id,
                    "currency_id": self.currency.id,
                    "entry_type": "adjustment",
                    "idempotency_key": "forged",
                    "user_id": self.sv_manager.id,
                    "date": entry.date,
                    "employee_id": self.zhang.id,
                }
            )
        self.assertServed(entry, self.env["pos.config"], self.desk, self.clerk_employee)

    def test_the_till_cannot_claim_another_cashier_for_a_payment(self):
        self.top_up(self.card, 100.0)
        order = self.sync(
            self.card_order(
                [(self.haircut, 1)], [(self.sv_method, 60.0, {"employee_id": self.chen.id})], employee_id=self.zhang.id
            ),
            user=self.pos_cashier,
        )
        entry = order.payment_ids.stored_value_ledger_id
        self.assertEqual(order.payment_ids.employee_id, self.zhang, "a payment is the order's cashier's")
        self.assertServed(entry, self.config, self.store, self.zhang)

    def test_an_employee_the_shop_does_not_let_in_does_not_serve(self):
        outsider = self.env["hr.employee"].sudo().create({"name": "Outsider", "company_id": self.company.id})
        self.top_up(self.card, 100.0)
        order = self.sync(
            self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], employee_id=outsider.id),
            user=self.pos_cashier,
        )
        # The order's user served, not someone the shop does not let in.
        users_employee = self.env["hr.employee"].sudo().search([("user_id", "=", order.user_id.id)])
        self.assertNotEqual(users_employee, outsider)
        self.assertServed(order.payment_ids.stored_value_ledger_id, self.config, self.store, users_employee)

    def test_upgrade_labels_the_entries_booked_before(self):
        self.top_up(self.card, 100.0, user=self.sv_user)
        self.sync(
            self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], employee_id=self.zhang.id),
            user=self.pos_cashier,
        )
        entries = self.card.ledger_ids
        expected = {entry: (entry.pos_config_id, entry.crm_team_id, entry.employee_id) for entry in entries}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE stored_value_ledger SET pos_config_id = NULL, crm_team_id = NULL, employee_id = NULL "
                "WHERE card_id = %s",
                self.card.id,
            )
        )
        entries.invalidate_recordset()
        self.assertFalse(any(entries.mapped("employee_id")))
        spec = importlib.util.spec_from_file_location("stored_value_crm_post_migration_19_0_1_3_0", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.1.2.0")
        entries.invalidate_recordset()
        self.assertEqual(
            {entry: (entry.pos_config_id, entry.crm_team_id, entry.employee_id) for entry in entries}, expected
        )
        self.assertEqual(
            set(expected.values()),
            {(self.env["pos.config"], self.desk, self.clerk_employee), (self.config, self.store, self.zhang)},
        )
