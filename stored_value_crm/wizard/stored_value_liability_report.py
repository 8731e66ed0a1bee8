from odoo import api, fields, models
from odoo.exceptions import AccessError
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
    pos_pending = fields.Monetary(
        string="Open POS Sessions",
        compute="_compute_figures",
        help="What POS sessions still open will book on deposits when they close: the top-ups they sold, "
        "less the card payments (and plus the card refunds) they took.",
    )
    difference = fields.Monetary(compute="_compute_figures")
    agrees = fields.Boolean(compute="_compute_figures")

    @api.depends("company_id", "date")
    def _compute_figures(self):
        for report in self:
            if not self.env.su and report.company_id not in self.env.user.company_ids:
                raise AccessError(
                    self.env._(
                        "You cannot read the stored-value liability of %(company)s.", company=report.company_id.name
                    )
                )
            report.wallet_principal, report.wallet_bonus = report._ledger_totals()
            report.account_balance = report._deposit_balance()
            report.pos_pending = report._pos_pending()
            report.difference = report.account_balance + report.pos_pending - report.wallet_principal
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

    def _pos_pending(self):
        """Deposits that open POS sessions will book at closing, for the cards they already moved."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE((SELECT SUM(line.price_subtotal_incl)
                                      FROM pos_order_line line
                                      JOIN pos_order po ON po.id = line.order_id
                                      JOIN pos_session session ON session.id = po.session_id
                                     WHERE line.stored_value_ledger_id IS NOT NULL AND session.state != 'closed'
                                       AND po.company_id = %(company)s AND po.date_order::date <= %(date)s), 0)
                        - COALESCE((SELECT SUM(payment.amount)
                                      FROM pos_payment payment
                                      JOIN pos_session session ON session.id = payment.session_id
                                     WHERE payment.stored_value_state = 'booked' AND session.state != 'closed'
                                       AND payment.company_id = %(company)s
                                       AND payment.payment_date::date <= %(date)s), 0)""",
                company=self.company_id.id,
                date=self.date,
            )
        )
        return self.env.cr.fetchone()[0]

    def _deposit_balance(self):
        """Credit balance of the customer-deposits account (what is owed), posted entries up to the date."""
        if not self.deposit_account_id:
            return 0.0
        # sudo: a stored-value manager reads this one total of the deposits account of a company of theirs,
        # not the journal items themselves.
        totals = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("account_id", "=", self.deposit_account_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("parent_state", "=", "posted"),
                    ("date", "<=", self.date),
                ],
                [],
                ["balance:sum"],
            )
        )
        return -(totals[0][0] or 0.0)
