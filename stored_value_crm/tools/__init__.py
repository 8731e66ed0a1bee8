from . import keys, wallet_math
