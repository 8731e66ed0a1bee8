from odoo import fields, models
from odoo.exceptions import UserError


class StoredValueHolderConsent(models.AbstractModel):
    """A card action that moves value away from its holder: the holder's PIN, or a stored-value manager.

    The PIN is checked when the wizard is saved (counting wrong tries on the card) and never stored: the
    wizard keeps only the fact that it was right, which no client can write. What the holder agreed to
    (the card, and the fields a wizard adds to ``_protected_fields``) is set when the wizard is created
    and cannot be changed afterwards.
    """

    _name = "stored.value.holder.consent"
    _inherit = ["stored.value.guard"]
    _description = "Holder's Consent to a Card Action"
    _protected_fields = frozenset({"card_id", "holder_verified"})

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True, ondelete="cascade")
    card_has_pin = fields.Boolean(related="card_id.has_pin")
    holder_pin = fields.Char(
        string="Holder's PIN",
        compute="_compute_holder_pin",
        inverse="_inverse_holder_pin",
        help="The holder types the card's PIN. A stored-value manager may leave it empty.",
    )
    holder_verified = fields.Boolean(readonly=True)
    is_manager = fields.Boolean(compute="_compute_is_manager")

    def _protected_create_allowed(self, field_name, value):
        return field_name != "holder_verified"

    def _compute_holder_pin(self):
        self.holder_pin = False

    def _inverse_holder_pin(self):
        for wizard in self.filtered("holder_pin"):
            wizard.card_id._check_pin(wizard.holder_pin)
            wizard._posting().write({"holder_verified": True})

    def _compute_is_manager(self):
        self.is_manager = self.env["stored.value.card"]._is_manager()

    def _check_holder_or_manager(self, action):
        """Raise unless the holder typed the card's PIN in this wizard or the user is a stored-value manager."""
        self.ensure_one()
        if self.holder_verified or self.env["stored.value.card"]._is_manager():
            return
        raise UserError(
            self.env._(
                "%(action)s on card %(card)s needs the holder's PIN or a stored-value manager.",
                action=action,
                card=self.card_id.name,
            )
            if self.card_id.has_pin
            else self.env._(
                "%(action)s on card %(card)s needs a stored-value manager: the card has no PIN the holder could type.",
                action=action,
                card=self.card_id.name,
            )
        )
