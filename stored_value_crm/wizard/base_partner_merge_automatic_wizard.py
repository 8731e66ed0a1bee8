from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Odoo moves the merged contacts' consent history to the kept one in SQL: its current consent per
        channel is then recomputed from the whole history (the latest choice of either wins)."""
        result = super()._update_foreign_keys(src_partners, dst_partner)
        self.env["stored.value.consent"].invalidate_model(["partner_id"])
        dst_partner.invalidate_recordset(["stored_value_consent_ids"])
        dst_partner.modified(["stored_value_consent_ids"])
        return result
