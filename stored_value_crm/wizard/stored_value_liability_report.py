from odoo import api, fields, models
from odoo.tools import SQL


class StoredValueLiabilityReport(models.TransientModel):
    """What the company owes its card holders, by the ledger and by the books, on a date."""

    _name = "stored.value.liability.report"
    _description = "Stored-Value Liability Report"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="On", required=True, default=fields.Date.context_today)
    deposit_account_id = fields.Many2one(related="company_id.stored_value_deposit_account_id")
    wallet_principal = fields.Monetary(string="Principal on Cards", compute="_compute_figures")
    wallet_bonus = fields.Monetary(string="Bonus on Cards", compute="_compute_figures")
    account_balance = fields.Monetary(string="Customer Deposits Balance", compute="_compute_figures")
    difference = fields.Monetary(compute="_compute_figures")
    agrees = fields.Boolean(compute="_compute_figures")

    @api.depends("company_id", "date")
    def _compute_figures(self):
        for report in self:
            report.wallet_principal, report.wallet_bonus = report._ledger_totals()
            report.account_balance = report._deposit_balance()
            report.difference = report.account_balance - report.wallet_principal
            report.agrees = report.currency_id.is_zero(report.difference)

    def _ledger_totals(self):
        self.env["stored.value.ledger"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(principal_amount), 0), COALESCE(SUM(bonus_amount), 0)
                     FROM stored_value_ledger
                    WHERE company_id = %s AND date::date <= %s""",
                self.company_id.id,
                self.date,
            )
        )
        return self.env.cr.fetchone()

    def _deposit_balance(self):
        """Credit balance of the customer-deposits account (what is owed), posted entries up to the date."""
        if not self.deposit_account_id:
            return 0.0
        totals = self.env["account.move.line"]._read_group(
            [
                ("account_id", "=", self.deposit_account_id.id),
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("date", "<=", self.date),
            ],
            [],
            ["balance:sum"],
        )
        return -(totals[0][0] or 0.0)
