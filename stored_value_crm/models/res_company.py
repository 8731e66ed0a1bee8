from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class ResCompany(models.Model):
    _inherit = "res.company"

    stored_value_deposit_account_id = fields.Many2one(
        "account.account",
        string="Customer Deposits Account",
        check_company=True,
        help="Liability account holding what card holders paid in and have not spent.",
    )
    stored_value_expense_account_id = fields.Many2one(
        "account.account",
        string="Bonus Expense Account",
        check_company=True,
        help="Expense (promotion or discount) account charged when bonus credit is spent or adjusted.",
    )
    stored_value_journal_id = fields.Many2one(
        "account.journal",
        string="Stored-Value Journal",
        check_company=True,
        help="Payment journal used when a card pays an invoice or takes a refund.",
    )
    stored_value_spend_order = fields.Selection(
        [
            ("principal_first", "Principal first"),
            ("bonus_first", "Bonus first"),
            ("proportional", "Proportionally"),
        ],
        string="Spending Order",
        required=True,
        default="principal_first",
    )
    stored_value_bonus_stacking = fields.Boolean(
        string="Stack Bonus Rules", help="Give the bonus of every matching rule, not only the best one."
    )
    stored_value_refund_deduct_bonus = fields.Boolean(
        string="Deduct Spent Bonus from Refunds",
        help="A cash refund pays back the unspent principal minus the bonus the holder already spent.",
    )
    stored_value_dormant_days = fields.Integer(string="Dormant After (days)", default=180)
    stored_value_low_balance = fields.Monetary(
        string="Low Balance Below",
        currency_field="currency_id",
        default=50.0,
        help="Holders who asked for card emails are reminded once when their balance falls below this amount.",
    )
    stored_value_pin_max_attempts = fields.Integer(string="Wrong PIN Tries Before Lock", default=5)
    stored_value_quiet_start = fields.Float(
        string="Quiet Hours From",
        default=21.0,
        help="Text messages to customers wait from this hour, in the customer's time zone (else the company's).",
    )
    stored_value_quiet_end = fields.Float(
        string="Quiet Hours Until",
        default=8.0,
        help="Hour when waiting text messages go out. Equal hours: no quiet hours.",
    )

    @api.constrains("stored_value_quiet_start", "stored_value_quiet_end")
    def _check_stored_value_quiet_hours(self):
        for company in self:
            if not all(0 <= hour < 24 for hour in (company.stored_value_quiet_start, company.stored_value_quiet_end)):
                raise ValidationError(
                    self.env._("%(company)s: quiet hours run from 0:00 to 23:59.", company=company.name)
                )

    def _stored_value_new_account(self, name, account_type, fallback_code):
        """A new account of this company, numbered after its highest account of ``account_type``."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        last = Account.search(
            Domain.AND([Account._check_company_domain(self), [("account_type", "=", account_type)]]),
            order="code desc",
            limit=1,
        )
        return Account.create(
            {
                "name": name,
                "code": Account._search_new_account_code(last.code or fallback_code),
                "account_type": account_type,
                "company_ids": [fields.Command.set(self.ids)],
            }
        )

    def _stored_value_deposit_account(self):
        self.ensure_one()
        if not self.stored_value_deposit_account_id:
            # sudo: setting the company's own accounts up is part of using stored value, not a user choice.
            self.sudo().stored_value_deposit_account_id = self._stored_value_new_account(
                self.env._("Customer Deposits (Stored Value)"), "liability_current", "2190"
            )
        return self.stored_value_deposit_account_id

    def _stored_value_expense_account(self):
        self.ensure_one()
        if not self.stored_value_expense_account_id:
            self.sudo().stored_value_expense_account_id = self._stored_value_new_account(
                self.env._("Stored-Value Bonus Expense"), "expense", "6190"
            )
        return self.stored_value_expense_account_id

    def _stored_value_journal(self):
        """The payment journal whose payments move money in and out of cards."""
        self.ensure_one()
        if not self.stored_value_journal_id:
            deposit_account = self._stored_value_deposit_account()
            Journal = self.env["account.journal"].sudo().with_company(self)
            code = "SVC"
            while Journal.search_count([("code", "=", code), ("company_id", "=", self.id)]):
                code = f"SV{int(code[2:]) + 1 if code[2:].isdigit() else 1}"
            journal = Journal.create(
                {
                    "name": self.env._("Stored Value"),
                    "code": code,
                    "type": "bank",
                    "is_stored_value": True,
                    "company_id": self.id,
                }
            )
            (journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids).write(
                {"payment_account_id": deposit_account.id}
            )
            self.sudo().stored_value_journal_id = journal
        return self.stored_value_journal_id

    def _stored_value_pos_payment_method(self):
        """The POS payment method that pays from cards: the stored-value journal, settled on deposits.

        At session closing the POS books its payments from the journal's outstanding account, so a card
        payment clears what is owed to card holders instead of landing in a bank account.
        """
        self.ensure_one()
        journal = self._stored_value_journal()
        PaymentMethod = self.env["pos.payment.method"].sudo().with_company(self)
        method = PaymentMethod.search([("journal_id", "=", journal.id)], limit=1)
        if not method:
            method = PaymentMethod.create(
                {
                    "name": self.env._("Stored Value"),
                    "journal_id": journal.id,
                    "outstanding_account_id": self._stored_value_deposit_account().id,
                    "company_id": self.id,
                }
            )
        return method

    def _stored_value_setup_top_up_product(self):
        """A top-up sold at the POS is money owed to the holder: its line posts to customer deposits."""
        product = self.env.ref("stored_value_crm.product_stored_value_top_up", raise_if_not_found=False)
        for company in self.filtered("stored_value_deposit_account_id"):
            if product and not product.with_company(company).property_account_income_id:
                # sudo: the account is the company's accounting setup for top-ups, not a user choice.
                product.sudo().with_company(
                    company
                ).property_account_income_id = company.stored_value_deposit_account_id

    def _stored_value_post_deposit_move(self, journal, holder, amount, account, partner, ref, date=None, **values):
        """Post an entry changing what is owed to ``holder`` on deposits by ``amount`` (negative: owed less).

        The other line goes to ``account`` for ``partner``.
        """
        self.ensure_one()
        owed, other = max(amount, 0.0), max(-amount, 0.0)
        lines = [
            (self._stored_value_deposit_account(), holder, {"credit": owed, "debit": other}),
            (account, partner, {"debit": owed, "credit": other}),
        ]
        # sudo: this entry accounts for a card movement or an order the user was allowed to make.
        move = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date or fields.Date.context_today(self),
                    "ref": ref,
                    "line_ids": [
                        fields.Command.create({"account_id": line_account.id, "partner_id": line_partner.id, **amounts})
                        for line_account, line_partner, amounts in lines
                    ],
                    **values,
                }
            )
        )
        move.action_post()
        return move

    def _stored_value_manager(self):
        """Who gets the to-dos nobody else owns: the company's first stored-value manager, else the admin."""
        self.ensure_one()
        # sudo: whoever asks (a cashier) may not read other users; only the manager's id is returned.
        managers = (
            self.env.ref("stored_value_crm.group_stored_value_manager")
            .sudo()
            .user_ids.filtered(lambda user: user.active and not user.share and self in user.company_ids)
        )
        return (managers.sorted("id")[:1] or self.env.ref("base.user_admin")).sudo(False)

    def _stored_value_setup_accounting(self):
        """Create the deposits and expense accounts, the journal and the POS payment method where missing."""
        for company in self.filtered("chart_template"):
            company._stored_value_deposit_account()
            company._stored_value_expense_account()
            company._stored_value_pos_payment_method()
            company._stored_value_setup_top_up_product()
