from odoo import fields, models
from odoo.exceptions import ValidationError

from ..models.stored_value_card import PIN_CONTEXT, PIN_FORMAT


class StoredValueNewPin(models.AbstractModel):
    """A PIN the holder types in a wizard, kept only as its hash: not even the wizard stores it in clear."""

    _name = "stored.value.new.pin"
    _inherit = ["stored.value.guard"]
    _description = "New PIN Typed in a Wizard"

    new_pin = fields.Char(
        string="New PIN", compute="_compute_new_pin", inverse="_inverse_new_pin", help="4 to 8 digits."
    )
    new_pin_hash = fields.Char(readonly=True)

    def _compute_new_pin(self):
        self.new_pin = False

    def _inverse_new_pin(self):
        for wizard in self.filtered("new_pin"):
            if not PIN_FORMAT.match(wizard.new_pin):
                raise ValidationError(self.env._("A PIN is 4 to 8 digits."))
            wizard._posting().write({"new_pin_hash": PIN_CONTEXT.hash(wizard.new_pin)})
