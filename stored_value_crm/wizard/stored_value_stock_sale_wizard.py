from odoo import fields, models


class StoredValueStockSaleWizard(models.TransientModel):
    """Sell a pre-printed card: scan or type its number, choose the customer, let them choose a PIN."""

    _name = "stored.value.stock.sale.wizard"
    _inherit = ["stored.value.new.pin"]
    _description = "Issue a Pre-Printed Stored-Value Card"
    _protected_fields = frozenset({"new_pin_hash"})

    number = fields.Char(string="Card Number", required=True, help="Scan the barcode or QR code printed on the card.")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    new_pin = fields.Char(string="PIN", help="4 to 8 digits the customer chooses, asked when the card pays; optional.")

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
