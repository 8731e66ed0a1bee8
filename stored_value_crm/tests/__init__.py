from . import (
    test_ewallet_migration,
    test_followup_plans,
    test_wallet_access,
    test_wallet_concurrency,
    test_wallet_ledger,
    test_wallet_math,
    test_wallet_notifications,
    test_wallet_payment,
    test_wallet_portal,
    test_wallet_refund,
    test_wallet_statement,
    test_wallet_topup,
)
