from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    stored_value_top_up = fields.Boolean(
        string="Stored-Value Top-up",
        help="Sold at the POS to put money on a card: the price is credited to the card with its bonus, "
        "and the sale is booked on customer deposits, not revenue.",
    )

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "stored_value_top_up"]

    @api.constrains("stored_value_top_up", "taxes_id")
    def _check_stored_value_top_up_taxes(self):
        for template in self.filtered("stored_value_top_up"):
            if template.taxes_id:
                raise ValidationError(
                    self.env._(
                        "Top-up product %(product)s cannot carry taxes: money put on a card is a deposit; "
                        "tax is due when it is spent.",
                        product=template.display_name,
                    )
                )
