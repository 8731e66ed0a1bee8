from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstallation(TransactionCase):
    def test_installed_with_its_dependencies(self):
        module = self.env["ir.module.module"].search([("name", "=", "loyalty_tiers")])
        self.assertEqual(module.state, "installed")
        dependencies = module.dependencies_id.depend_id
        self.assertTrue(dependencies, "the addon declares its dependencies")
        self.assertEqual(set(dependencies.mapped("state")), {"installed"})

    def test_demo_programme_has_four_tiers_and_tiered_members(self):
        program = self.env.ref("loyalty_tiers.demo_program_member_points", raise_if_not_found=False)
        if not program:
            self.skipTest("installed without demo data")
        self.assertEqual(program._tiers_by_level().mapped("name"), ["Regular", "Silver", "Gold", "Diamond"])
        for card in program.coupon_ids:
            self.assertTrue(card.tier_id, "every demo member has a tier")
            # the demo's members climbed over a year: their last move took them to their tier
            self.assertEqual(card.tier_history_ids[:1].new_tier_id, card.tier_id)
