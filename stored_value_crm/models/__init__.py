from . import (
    account_journal,
    account_move,
    account_payment,
    res_company,
    res_config_settings,
    res_partner,
    stored_value_bonus_rule,
    stored_value_card,
    stored_value_ledger,
)
