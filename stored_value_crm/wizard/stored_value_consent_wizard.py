from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.stored_value_card import LOSS_REASONS
from .stored_value_holder_consent import StoredValueHolderConsent


class StoredValueConsentWizard(models.TransientModel):
    """Unfreeze, close, reissue, change the PIN or the holder of a card: with the holder's PIN or by a manager.

    Each is recorded on the card (who, when, why). A new PIN is kept hashed, never in clear.
    """

    _name = "stored.value.consent.wizard"
    _inherit = ["stored.value.holder.consent", "stored.value.new.pin"]
    _description = "Card Action with the Holder's Consent"
    _protected_fields = StoredValueHolderConsent._protected_fields | {
        "operation",
        "new_partner_id",
        "new_pin_hash",
        "stock_number",
    }

    operation = fields.Selection(
        [
            ("unfreeze", "Unfreeze Card"),
            ("change_pin", "Change PIN"),
            ("change_holder", "Change Holder"),
            ("close", "Close Card"),
            ("reissue", "Reissue Card"),
        ],
        required=True,
        readonly=True,
    )
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    balance = fields.Monetary(related="card_id.balance")
    currency_id = fields.Many2one(related="card_id.currency_id")
    new_partner_id = fields.Many2one("res.partner", string="New Holder")
    reason = fields.Text(help="Recorded on the card.")
    loss_reason = fields.Selection(
        LOSS_REASONS,
        string="What Happened",
        compute="_compute_loss_reason",
        store=True,
        readonly=False,
        help="Why the card is replaced by a new number.",
    )
    stock_number = fields.Char(
        string="New Card Number",
        help="The number of an unsold pre-printed card to give the holder; empty: the next card number.",
    )

    @api.depends("card_id")
    def _compute_loss_reason(self):
        for wizard in self:
            wizard.loss_reason = wizard.card_id.loss_reason or "damaged"

    def _protected_create_allowed(self, field_name, value):
        return field_name != "new_pin_hash" and super()._protected_create_allowed(field_name, value)

    def action_confirm(self):
        self.ensure_one()
        label = dict(self._fields["operation"]._description_selection(self.env))[self.operation]
        self._check_holder_or_manager(label)
        card = self.card_id
        who = self.env._("by the holder's PIN") if self.holder_verified else self.env._("by a manager")
        reason = self.env._(
            "%(action)s %(who)s (%(user)s): %(reason)s",
            action=label,
            who=who,
            user=self.env.user.name,
            reason=self.reason or "-",
        )
        if self.operation == "unfreeze":
            card._unfreeze(reason)
        elif self.operation == "close":
            card._close(reason)
        elif self.operation == "change_pin":
            if not self.new_pin_hash:
                raise UserError(self.env._("Type the new PIN of card %(card)s.", card=card.name))
            card._set_pin_hash(self.new_pin_hash)
            card.message_post(body=reason)
        elif self.operation == "reissue":
            new_card = card._reissue(
                f"stored.value.consent.wizard/{self.id}",
                reason,
                stock_number=self.stock_number,
                loss_reason=self.loss_reason,
            )
            return {
                "type": "ir.actions.act_window",
                "res_model": "stored.value.card",
                "res_id": new_card.id,
                "view_mode": "form",
                "target": "current",
            }
        elif self.operation == "change_holder":
            if not self.new_partner_id:
                raise UserError(self.env._("Choose the new holder of card %(card)s.", card=card.name))
            card._change_holder(self.new_partner_id, reason)
        return {"type": "ir.actions.act_window_close"}
