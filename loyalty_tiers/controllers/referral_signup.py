from odoo.http import request, route

from odoo.addons.auth_signup.controllers.main import AuthSignupHome

from ..models.loyalty_referral import RECORD_REFUSAL

SESSION_KEY = "loyalty_referral_code"


class LoyaltyReferralSignup(AuthSignupHome):
    """A new customer signs up with the referral link a member gave them (``/web/signup?referral=CODE``).

    The code is kept in the session through the sign-up form; once the account is created, the referral is
    recorded for its partner (refused, and said so in the referral report, when the code does not qualify:
    the account is kept, since it was the customer's choice to sign up).
    """

    @route()
    def web_auth_signup(self, *args, **kw):
        code = kw.pop("referral", None)
        if isinstance(code, str) and code.strip():
            request.session[SESSION_KEY] = code.strip().upper()[:32]
        response = super().web_auth_signup(*args, **kw)
        code = request.session.get(SESSION_KEY)
        if code and hasattr(response, "qcontext"):
            response.qcontext["loyalty_referral_code"] = code
            if not request.env["loyalty.card"]._referral_card_of_code(code, request.env.company):
                response.qcontext["loyalty_referral_problem"] = request.env._(
                    "The referral code %(code)s is not known: you can still sign up, without it.", code=code
                )
        return response

    def _signup_with_values(self, token, values, do_login):
        super()._signup_with_values(token, values, do_login)
        code = request.session.pop(SESSION_KEY, None)
        if not code:
            return
        User = request.env["res.users"].sudo()
        user = User.search(User._get_login_domain(values.get("login")), order=User._get_login_order(), limit=1)
        if user:
            # sudo: the public visitor who just signed up records their own referral through the server's checks.
            request.env["loyalty.referral"].sudo().with_context(loyalty_referral_refusal=RECORD_REFUSAL)._refer(
                code, user.partner_id, "portal", user.company_id, f"portal.signup/{user.id}/referral"
            )
