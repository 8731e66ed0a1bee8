from odoo import fields, models


class CustomerFeedbackCategory(models.Model):
    """What a complaint is about (service, product, billing...), with who handles it by default."""

    _name = "customer.feedback.category"
    _description = "Complaint Category"
    _order = "sequence, id"

    _name_unique = models.Constraint("UNIQUE(name)", "A complaint category with this name already exists.")

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Default Responsible",
        domain="[('share', '=', False)]",
        help="Handles the complaints of this category when the customer has no salesperson.",
    )
