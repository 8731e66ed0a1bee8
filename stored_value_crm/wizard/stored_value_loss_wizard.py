from odoo import fields, models

from ..models.stored_value_card import LOSS_REASONS


class StoredValueLossWizard(models.TransientModel):
    """Report a card lost, stolen or damaged: it is frozen at once; a new number comes with Reissue."""

    _name = "stored.value.loss.wizard"
    _description = "Report a Stored-Value Card Lost"

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    loss_reason = fields.Selection(LOSS_REASONS, string="What Happened", required=True, default="lost")
    note = fields.Text(help="Recorded on the card.")

    def action_confirm(self):
        self.ensure_one()
        self.card_id._report_lost(self.loss_reason, self.note)
        return {"type": "ir.actions.act_window_close"}
