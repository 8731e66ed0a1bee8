from odoo import api, models


class StoredValueRefundWizard(models.TransientModel):
    _inherit = "stored.value.refund.wizard"

    @api.depends("card_id")
    def _compute_figures(self):
        """The policy also says what the refund takes back of the card's gift packs (充值礼包)."""
        result = super()._compute_figures()
        for wizard in self.filtered("card_id"):
            summary = wizard.card_id._gift_pack_refund_summary()
            if summary:
                wizard.policy = f"{wizard.policy}\n{summary}"
        return result
