from odoo.tests import BaseCase

from odoo.addons.stored_value_crm.tools import wallet_math


def cents(amount):
    return round(amount, 2)


class TestWalletMath(BaseCase):
    def test_principal_first_uses_bonus_only_beyond_principal(self):
        self.assertEqual(wallet_math.split_spend(80, 100, 20, "principal_first", cents), (80, 0))
        self.assertEqual(wallet_math.split_spend(110, 100, 20, "principal_first", cents), (100, 10))

    def test_bonus_first_uses_principal_only_beyond_bonus(self):
        self.assertEqual(wallet_math.split_spend(15, 100, 20, "bonus_first", cents), (0, 15))
        self.assertEqual(wallet_math.split_spend(50, 100, 20, "bonus_first", cents), (30, 20))

    def test_proportional_split_never_exceeds_either_balance(self):
        self.assertEqual(wallet_math.split_spend(60, 100, 20, "proportional", cents), (50, 10))
        self.assertEqual(wallet_math.split_spend(0.01, 0.01, 0.02, "proportional", cents), (0, 0.01))
        self.assertEqual(wallet_math.split_spend(120, 100, 20, "proportional", cents), (100, 20))

    def test_best_bonus_or_all_bonuses(self):
        candidates = [("small", 10.0), ("big", 200.0), ("none", 0.0)]
        self.assertEqual(wallet_math.choose_bonuses(candidates, stack=False), [("big", 200.0)])
        self.assertEqual(wallet_math.choose_bonuses(candidates, stack=True), [("small", 10.0), ("big", 200.0)])

    def test_bonus_batches_are_consumed_oldest_first(self):
        self.assertEqual(wallet_math.remaining_in_batches([10, 20, 30], 25), [0, 5, 30])
        self.assertEqual(wallet_math.remaining_in_batches([10, 20], 0), [10, 20])
