from odoo import api, fields, models
from odoo.exceptions import UserError


class StoredValueEwalletMigrationWizard(models.TransientModel):
    """Bring the balances of Odoo eWallet cards over as stored-value cards with an opening balance.

    Odoo sold eWallet top-ups as products, so their balance sits in revenue, not in a liability:
    the opening entry moves it from the chosen account to customer deposits. The eWallet card is
    emptied with a history line, so the same money cannot be spent twice. Odoo's Loyalty app is
    optional for this addon, hence the program chosen by id.
    """

    _name = "stored.value.ewallet.migration.wizard"
    _description = "Migrate eWallet Cards to Stored-Value Cards"

    program_id = fields.Selection(selection="_selection_ewallet_programs", string="eWallet Program", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    counterpart_account_id = fields.Many2one(
        "account.account",
        string="Move the Balance From",
        required=True,
        check_company=True,
        help="Account where the eWallet top-ups were booked (usually revenue); credited to customer deposits.",
    )
    card_count = fields.Integer(string="Cards to Migrate", compute="_compute_preview")
    total_amount = fields.Monetary(string="Total Balance", compute="_compute_preview")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def _selection_ewallet_programs(self):
        if "loyalty.program" not in self.env:
            return []
        # sudo: stored-value managers migrate eWallets without being loyalty administrators;
        # the programs are limited to this user's companies.
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .search([("program_type", "=", "ewallet"), ("company_id", "in", [False, *self.env.companies.ids])])
        )
        return [(str(program.id), program.display_name) for program in programs]

    def _ewallet_cards(self):
        if "loyalty.card" not in self.env or not self.program_id:
            return self.env["stored.value.card"].browse()  # an empty recordset
        # sudo: see _selection_ewallet_programs; the migration empties these cards itself.
        return (
            self.env["loyalty.card"]
            .sudo()
            .search([("program_id", "=", int(self.program_id)), ("points", ">", 0), ("partner_id", "!=", False)])
        )

    @api.depends("program_id")
    def _compute_preview(self):
        for wizard in self:
            cards = wizard._ewallet_cards()
            wizard.card_count = len(cards)
            wizard.total_amount = sum(cards.mapped("points")) if cards else 0.0

    def action_migrate(self):
        self.ensure_one()
        self.env["stored.value.card"]._check_manager()
        ewallets = self._ewallet_cards()
        if not ewallets:
            raise UserError(self.env._("This eWallet program has no card with a balance and a holder to migrate."))
        Card = self.env["stored.value.card"]
        migrated = Card.browse()
        journal = self.company_id._stored_value_journal()
        for ewallet in ewallets:
            key = f"loyalty.card/{ewallet.id}/opening"
            if self.env["stored.value.ledger"].search_count([("idempotency_key", "=", key)]):
                continue  # migrated by an earlier run
            taken = Card.search_count([("name", "=", ewallet.code)])
            card = Card.create(
                {
                    "name": "/" if taken else ewallet.code,
                    "partner_id": ewallet.partner_id.id,
                    "company_id": self.company_id.id,
                }
            )
            card._set_state("active")
            card._lock()
            amount = self.company_id.currency_id.round(ewallet.points)
            entry = card._post_movement(
                "opening",
                amount,
                0.0,
                key,
                reason=self.env._("Migrated from eWallet card %(code)s", code=ewallet.code),
            )
            card._post_deposit_move(entry, amount, journal, counterpart=self.counterpart_account_id)
            self.env["loyalty.history"].sudo().create(
                {
                    "card_id": ewallet.id,
                    "description": self.env._("Moved to stored-value card %(card)s", card=card.name),
                    "used": ewallet.points,
                }
            )
            ewallet.points = 0
            migrated |= card
        action = self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.stored_value_card_action")
        action.update({"domain": [("id", "in", migrated.ids)], "context": {}})
        return action
