# The guard first: the models below inherit it.
from . import stored_value_guard  # isort: skip
from . import (
    account_journal,
    account_move,
    account_payment,
    mail_activity,
    pos_order,
    pos_order_line,
    pos_payment,
    pos_payment_method,
    pos_session,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    stored_value_bonus_rule,
    stored_value_card,
    stored_value_card_batch,
    stored_value_card_stock,
    stored_value_followup_plan,
    stored_value_ledger,
    stored_value_pin_attempt,
)
