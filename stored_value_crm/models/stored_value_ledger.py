from odoo import api, fields, models
from odoo.exceptions import UserError

# Documents a movement may come from; those of addons that are not installed are left out.
SOURCE_MODELS = ("account.payment", "account.move", "pos.order", "sale.order", "stored.value.card")


class StoredValueLedger(models.Model):
    """One movement of a card, never changed once written: a mistake is corrected by a reversing entry."""

    _name = "stored.value.ledger"
    _inherit = ["stored.value.served.mixin"]
    _description = "Stored-Value Ledger Entry"
    _order = "date desc, id desc"
    _rec_name = "name"

    _idempotency_key_unique = models.Constraint(
        "UNIQUE(idempotency_key)", "This movement was already booked (same request key)."
    )

    name = fields.Char(string="Reference", readonly=True, copy=False, index="trigram")
    card_id = fields.Many2one("stored.value.card", required=True, index=True, ondelete="restrict", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Holder", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    entry_type = fields.Selection(
        [
            ("topup", "Top-up"),
            ("bonus", "Bonus Credit"),
            ("spend", "Spend"),
            ("refund", "Refund to Wallet"),
            ("cash_refund", "Cash Refund"),
            ("adjustment", "Manual Adjustment"),
            ("compensation", "Compensation"),
            ("bonus_expiry", "Bonus Expiry"),
            ("transfer_out", "Transfer Out"),
            ("transfer_in", "Transfer In"),
            ("reissue_out", "Moved to New Card"),
            ("reissue_in", "Taken Over from Old Card"),
            ("opening", "Opening Balance"),
            ("reversal", "Reversal"),
        ],
        string="Type",
        required=True,
        readonly=True,
        index=True,
    )
    principal_amount = fields.Monetary(string="Principal", readonly=True)
    bonus_amount = fields.Monetary(string="Bonus", readonly=True)
    amount = fields.Monetary(
        compute="_compute_amount", store=True, precompute=True, help="Principal plus bonus; negative when spent."
    )
    principal_balance_after = fields.Monetary(string="Principal After", readonly=True)
    bonus_balance_after = fields.Monetary(string="Bonus After", readonly=True)
    balance_after = fields.Monetary(compute="_compute_balance_after", store=True, precompute=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="By", required=True, readonly=True)
    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    # Indexed: each sync of a POS order, each refund and payment looks its card movements up by document.
    source_ref = fields.Reference(
        selection="_selection_source_ref", string="Source Document", readonly=True, index=True
    )
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, index="btree_not_null")
    bonus_rule_id = fields.Many2one("stored.value.bonus.rule", readonly=True)
    bonus_expiry_date = fields.Date(readonly=True, help="When the bonus of this credit expires.")
    reversed_entry_id = fields.Many2one("stored.value.ledger", string="Reverses", readonly=True)
    reason = fields.Text(readonly=True)

    @api.model
    def _selection_source_ref(self):
        return [(model, self.env[model]._description) for model in SOURCE_MODELS if model in self.env]

    @api.depends("principal_amount", "bonus_amount")
    def _compute_amount(self):
        for entry in self:
            entry.amount = entry.principal_amount + entry.bonus_amount

    @api.depends("principal_balance_after", "bonus_balance_after")
    def _compute_balance_after(self):
        for entry in self:
            entry.balance_after = entry.principal_balance_after + entry.bonus_balance_after

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["name"] = self.env["ir.sequence"].next_by_code("stored.value.ledger") or "/"
        return super().create(vals_list)

    def _reverse(self, **values):
        """Post the exact opposite of this entry on its card; reversing twice returns the first reversal."""
        self.ensure_one()
        card = self.card_id
        card._lock()
        key = f"reverse/{self.id}"
        replay = card._replayed_entry(key, "reversal", self.amount)
        if replay:
            return replay
        if self.entry_type == "reversal":
            raise UserError(self.env._("Entry %(entry)s is itself a reversal.", entry=self.name))
        return card._post_movement(
            "reversal", -self.principal_amount, -self.bonus_amount, key, reversed_entry_id=self.id, **values
        )

    @api.model
    def _of_documents(self, documents):
        """``{document: entries}``: the entries whose source document is one of ``documents``, in one search."""
        entries = self.search([("source_ref", "in", [f"{doc._name},{doc.id}" for doc in documents.filtered("id")])])
        return {
            document: entries.filtered(lambda entry, doc=document: entry.source_ref == doc) for document in documents
        }

    @api.model
    def _net_paid_from(self, card, documents):
        """What ``card`` paid through ``documents`` and did not get back through them (refunds, reversals)."""
        entries = self.sudo().search(
            [
                ("card_id", "=", card.id),
                ("entry_type", "in", ("spend", "refund", "reversal")),
                ("source_ref", "in", [f"{doc._name},{doc.id}" for doc in documents]),
            ]
        )
        return card.currency_id.round(-sum(entries.mapped("amount")))

    def _movement_label(self):
        self.ensure_one()
        return dict(self._fields["entry_type"]._description_selection(self.env))[self.entry_type]

    def _notify_holder(self):
        """Tell the holders of these movements, by the channels they consented to."""
        self.env["stored.value.message"]._dispatch("movement", self)

    def write(self, vals):
        if vals and self:  # an empty recordset stays writable: Odoo's contact merge writes every model
            raise UserError(self.env._("Ledger entries cannot be changed: post a reversing entry instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Ledger entries cannot be deleted: post a reversing entry instead."))
