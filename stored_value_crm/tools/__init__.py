from . import card_numbers, keys, wallet_math
