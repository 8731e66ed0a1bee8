from odoo import api, fields, models


class StoredValueTopupWizard(models.TransientModel):
    """Top up a card: shows the bonus the amount earns before the cashier confirms."""

    _name = "stored.value.topup.wizard"
    _description = "Top Up a Stored-Value Card"

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True)
    partner_id = fields.Many2one(related="card_id.partner_id")
    company_id = fields.Many2one(related="card_id.company_id")
    currency_id = fields.Many2one(related="card_id.currency_id")
    balance = fields.Monetary(related="card_id.balance", string="Current Balance")
    amount = fields.Monetary(string="Amount Paid", required=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Paid With",
        required=True,
        domain="[('type', 'in', ('cash', 'bank')), ('is_stored_value', '=', False), ('company_id', '=', company_id)]",
        default=lambda self: self._default_journal(),
    )
    bonus_amount = fields.Monetary(string="Bonus", compute="_compute_bonus")
    bonus_details = fields.Text(string="Bonus Rules", compute="_compute_bonus")
    balance_after = fields.Monetary(compute="_compute_bonus")

    @api.model_create_multi
    def create(self, vals_list):
        self.env["stored.value.card"]._check_typed_amounts(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self.env["stored.value.card"]._check_typed_amounts([vals], cards=self.card_id)
        return super().write(vals)

    def _default_journal(self):
        """The company's cash journal, the usual way to pay at the desk; else its first bank journal."""
        card = self.env["stored.value.card"].browse(self.env.context.get("default_card_id"))
        company = card.company_id or self.env.company
        journals = self.env["account.journal"].search(
            [("type", "in", ("cash", "bank")), ("is_stored_value", "=", False), ("company_id", "=", company.id)]
        )
        return journals.filtered(lambda journal: journal.type == "cash")[:1] or journals[:1]

    @api.depends("amount", "card_id")
    def _compute_bonus(self):
        for wizard in self:
            rules = wizard.card_id._bonus_rules_for(wizard.amount) if wizard.card_id and wizard.amount > 0 else []
            wizard.bonus_amount = sum(bonus for _rule, bonus in rules)
            card = wizard.card_id
            lines = [
                self.env._(
                    "%(rule)s: +%(bonus)s%(expiry)s",
                    rule=rule.name,
                    bonus=card._format_amount(bonus),
                    expiry=self.env._(", expires %(days)s days after the top-up", days=rule.validity_days)
                    if rule.validity_days
                    else "",
                )
                if not card.currency_id.is_zero(bonus)
                else rule.name
                for rule, bonus in rules
            ]
            lines += card._top_up_gift_descriptions([rule for rule, _bonus in rules]) if rules else []
            wizard.bonus_details = "\n".join(lines) or self.env._("No bonus rule applies to this amount.")
            wizard.balance_after = wizard.card_id.balance + max(wizard.amount, 0) + wizard.bonus_amount

    def action_confirm(self):
        self.ensure_one()
        # The wizard's id keys the request: a double click books the top-up once.
        self.card_id._top_up(self.amount, self.journal_id, f"stored.value.topup.wizard/{self.id}")
        return {"type": "ir.actions.act_window_close"}
