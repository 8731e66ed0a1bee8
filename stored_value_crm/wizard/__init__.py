# The mixins first: the wizards below inherit them.
from . import stored_value_holder_consent, stored_value_new_pin  # isort: skip
from . import (
    account_payment_register,
    base_partner_merge_automatic_wizard,
    stored_value_adjustment_wizard,
    stored_value_consent_wizard,
    stored_value_contact_consent_wizard,
    stored_value_ewallet_migration_wizard,
    stored_value_liability_report,
    stored_value_loss_wizard,
    stored_value_refund_wizard,
    stored_value_statement_wizard,
    stored_value_stock_sale_wizard,
    stored_value_topup_wizard,
    stored_value_transfer_wizard,
)
