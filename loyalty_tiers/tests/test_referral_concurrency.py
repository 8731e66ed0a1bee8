from uuid import uuid4

from odoo.exceptions import UserError, ValidationError
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.stored_value_crm.tests.common import CommittedShopCase

from ..models.loyalty_referral import LoyaltyReferral


@tagged("post_install", "-at_install")
class TestReferralConcurrency(CommittedShopCase):
    """Two tills syncing a referred customer's first purchases at once, each in its own transaction."""

    @classmethod
    def _set_up_committed_shop(cls, env):
        program = env["loyalty.program"].create(
            {
                "name": "Concurrent Referrals",
                "program_type": "loyalty",
                "company_id": cls.company_id,
                "referral_enabled": True,
                "referral_trigger": "purchase",
                "referral_threshold": 50,
                "referral_referrer_reward": "points",
                "referral_referrer_amount": 500,
                "referral_referred_reward": "points",
                "referral_referred_amount": 100,
            }
        )
        cls.program_id = program.id

    def _sync(self, order):
        try:
            with self.committed_env(self.cashier_id) as env:
                return retrying(lambda: env["pos.order"].sync_from_ui([dict(order)]), env)["pos.order"][-1]["id"]
        except (UserError, ValidationError) as error:
            return str(error)

    def test_two_first_purchases_at_once_reward_once(self):
        with self.committed_env() as env:
            referrer = env["res.partner"].create({"name": "Concurrent Referrer"})
            card = env["loyalty.card"].create({"program_id": self.program_id, "partner_id": referrer.id})
            referred = env["res.partner"].create({"name": "Concurrent Newcomer"})
            referral = env["loyalty.referral"]._refer(
                card.referral_code, referred, "backoffice", env["res.company"].browse(self.company_id), str(uuid4())
            )
            card_id, referred_id, referral_id = card.id, referred.id, referral.id
        line = {"product_id": self.product_id, "qty": 1, "price_unit": 70.0}
        line.update(price_subtotal=70.0, price_subtotal_incl=70.0)
        orders = [
            self.order_data(session_id, [line], [{"amount": 70.0, "payment_method_id": self.cash_id}], referred_id)
            for session_id in self.session_ids
        ]
        results = self.race(self._sync, (orders[0],), (orders[1],), hold=(LoyaltyReferral, "_give_reward"))
        self.assertTrue(all(isinstance(result, int) for result in results), results)
        with self.committed_env() as env:
            env.cr.execute(
                SQL(
                    """SELECT COUNT(*) FROM loyalty_point_batch
                        WHERE source_key LIKE %s""",
                    f"loyalty.referral/{referral_id}/%",
                )
            )
            self.assertEqual(env.cr.fetchone()[0], 2, "one reward for each side, not one per order")
            self.assertEqual(env["loyalty.referral"].browse(referral_id).state, "rewarded")
            self.assertEqual(env["loyalty.card"].browse(card_id).points, 500)
