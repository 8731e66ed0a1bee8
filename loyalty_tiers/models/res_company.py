from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_negative_points = fields.Boolean(
        string="Points May Go Negative",
        help="When goods are returned after the points they earned were spent, the member's card goes below "
        "zero (paid back by later earnings). Otherwise it goes down to zero and the return is flagged for a "
        "manager, as are orders spending points the card no longer holds.",
    )
