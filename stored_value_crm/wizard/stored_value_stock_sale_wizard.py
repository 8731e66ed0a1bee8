from odoo import fields, models
from odoo.exceptions import ValidationError

from ..models.stored_value_card import PIN_CONTEXT, PIN_FORMAT


class StoredValueStockSaleWizard(models.TransientModel):
    """Sell a pre-printed card: scan or type its number, choose the customer, let them choose a PIN."""

    _name = "stored.value.stock.sale.wizard"
    _inherit = ["stored.value.guard"]
    _description = "Issue a Pre-Printed Stored-Value Card"
    _protected_fields = frozenset({"new_pin_hash"})

    number = fields.Char(string="Card Number", required=True, help="Scan the barcode or QR code printed on the card.")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    new_pin = fields.Char(
        string="PIN",
        compute="_compute_new_pin",
        inverse="_inverse_new_pin",
        help="4 to 8 digits the customer chooses, asked when the card pays; optional.",
    )
    new_pin_hash = fields.Char(readonly=True)

    def _compute_new_pin(self):
        self.new_pin = False

    def _inverse_new_pin(self):
        for wizard in self.filtered("new_pin"):
            if not PIN_FORMAT.match(wizard.new_pin):
                raise ValidationError(self.env._("A PIN is 4 to 8 digits."))
            wizard._posting().write({"new_pin_hash": PIN_CONTEXT.hash(wizard.new_pin)})

    def action_confirm(self):
        self.ensure_one()
        card = self.env["stored.value.card.stock"]._sell(self.number, self.partner_id, pin_hash=self.new_pin_hash)
        return {
            "type": "ir.actions.act_window",
            "res_model": "stored.value.card",
            "res_id": card.id,
            "view_mode": "form",
            "target": "current",
        }
