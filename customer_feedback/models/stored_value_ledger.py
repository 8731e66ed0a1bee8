from odoo import api, models


class StoredValueLedger(models.Model):
    _inherit = "stored.value.ledger"

    @api.model
    def _selection_source_ref(self):
        return [*super()._selection_source_ref(), ("customer.feedback.case", self.env._("Complaint Case"))]
