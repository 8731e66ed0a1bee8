from . import (
    account_journal,
    account_move,
    account_payment,
    mail_activity,
    res_company,
    res_config_settings,
    res_partner,
    stored_value_bonus_rule,
    stored_value_card,
    stored_value_followup_plan,
    stored_value_ledger,
)
