from . import card_numbers, keys, masking, wallet_math
