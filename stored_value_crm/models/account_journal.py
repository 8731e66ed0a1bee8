from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    is_stored_value = fields.Boolean(
        string="Stored Value", help="Payments in this journal are paid from, or refunded to, a stored-value card."
    )
