from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstallation(TransactionCase):
    def test_installed_with_its_dependencies(self):
        module = self.env["ir.module.module"].search([("name", "=", "stored_value_crm")])
        self.assertEqual(module.state, "installed")
        dependencies = module.dependencies_id.depend_id
        self.assertTrue(dependencies, "the addon declares its dependencies")
        self.assertEqual(set(dependencies.mapped("state")), {"installed"})
