from odoo.fields import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBackofficeTour(HttpCase):
    """A stored-value manager tops up a card in the browser and sees the bonus before confirming."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._stored_value_setup_accounting()
        cls.manager = cls.env["res.users"].create(
            {
                "login": "sv_tour_manager",
                "password": "sv_tour_manager",
                "name": "Tour Manager",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [
                    Command.link(cls.env.ref("base.group_user").id),
                    Command.link(cls.env.ref("account.group_account_invoice").id),
                    Command.link(cls.env.ref("stored_value_crm.group_stored_value_manager").id),
                ],
            }
        )
        cls.env["stored.value.bonus.rule"].create(
            {"name": "Top up 1,000, get 20%", "min_amount": 1000, "bonus_type": "percent", "bonus_value": 20}
        )
        holder = cls.env["res.partner"].create({"name": "Zhang Min"})
        cls.card = cls.env["stored.value.card"].create({"name": "TOUR-0001", "partner_id": holder.id})
        cls.card.action_activate()

    def test_manager_tops_up_a_card_in_the_browser(self):
        self.start_tour("/odoo", "stored_value_topup_tour", login="sv_tour_manager")
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (1000, 200))
