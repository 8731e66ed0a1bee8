from . import wallet_math
