from . import portal, referral_signup
