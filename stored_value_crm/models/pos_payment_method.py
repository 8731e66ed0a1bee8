from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PosPaymentMethod(models.Model):
    """A payment method in the stored-value journal pays from the customer's card."""

    _inherit = "pos.payment.method"

    # Stored: every sync asks it of the order's payments, and the journal need not be read for that.
    is_stored_value = fields.Boolean(related="journal_id.is_stored_value", store=True)

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "is_stored_value"]

    @api.onchange("journal_id")
    def _onchange_journal_id(self):
        result = super()._onchange_journal_id()
        for method in self.filtered("is_stored_value"):
            method.outstanding_account_id = method.company_id._stored_value_deposit_account()
        return result

    @api.constrains("journal_id", "outstanding_account_id")
    def _check_stored_value_settlement(self):
        for method in self.filtered("is_stored_value"):
            deposits = method.company_id.stored_value_deposit_account_id
            if method.outstanding_account_id != deposits:
                raise ValidationError(
                    self.env._(
                        "Payment method %(method)s pays from stored-value cards: its outstanding account must be "
                        "the customer deposits account %(account)s, so that card payments clear what is owed.",
                        method=method.name,
                        account=deposits.display_name,
                    )
                )
