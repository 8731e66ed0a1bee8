from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    stored_value_ledger_id = fields.Many2one(
        "stored.value.ledger",
        string="Stored-Value Movement",
        readonly=True,
        index="btree_not_null",
        help="The card movement this entry accounts for, beside the payment's own entry.",
    )
