from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LoyaltyTiersPosCommon


class PointsMachine(RuleBasedStateMachine):
    """One member's card through random steps; ``case`` is the running test, which owns the data."""

    case = None

    def __init__(self):
        super().__init__()
        self.savepoint = self.case.env.cr.savepoint()
        partner = self.case.env["res.partner"].create({"name": "Random Member"})
        self.card = self.case.program._member_card(partner)
        self.expected = 0.0
        self.orders = []  # [order, haircuts not yet returned, data]

    def teardown(self):
        self.savepoint.close(rollback=True)

    def sync(self, data):
        return self.case.sync(data, user=self.case.pos_cashier)

    @rule(haircuts=st.integers(min_value=1, max_value=4))
    def earn(self, haircuts):
        data = self.case.member_order(haircuts, customer=self.card.partner_id)
        self.orders.append([self.sync(data), haircuts, data])
        self.expected += 60 * haircuts

    @rule()
    def spend(self):
        data = self.case.member_order(1, card=self.card, reward_cost=100, customer=self.card.partner_id)
        self.sync(data)
        self.expected = max(self.expected + 60 - 100, 0.0)

    @precondition(lambda self: any(left for _order, left, _data in self.orders))
    @rule(index=st.integers(min_value=0), share=st.floats(min_value=0.0, max_value=1.0))
    def return_goods(self, index, share):
        returnable = [entry for entry in self.orders if entry[1]]
        entry = returnable[index % len(returnable)]
        haircuts = max(1, round(entry[1] * share))
        self.sync(self.case.return_order(entry[0], haircuts))
        entry[1] -= haircuts
        self.expected = max(self.expected - 60 * haircuts, 0.0)

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(min_value=0))
    def replay(self, index):
        _order, _left, data = self.orders[index % len(self.orders)]
        self.sync(dict(data))

    @rule(
        role=st.sampled_from(["pos_cashier", "tier_only_manager", "tier_user"]),
        values=st.sampled_from(
            [
                {"points": 100000.0},
                {"points": -5.0},
                {"earned_tier_id": "gold"},
                {"tier_review_date": "2999-01-01"},
            ]
        ),
    )
    def hostile_write(self, role, values):
        values = {key: self.case.gold.id if value == "gold" else value for key, value in values.items()}
        with self.case.assertRaises(UserError), self.case.env.cr.savepoint():  # AccessError is one
            self.card.with_user(getattr(self.case, role)).write(values)

    @invariant()
    def points_agree(self):
        self.card.invalidate_recordset()
        self.case.assertAlmostEqual(self.card.points, self.expected, places=2)
        self.case.assertPointsAgree(self.card)


@tagged("post_install", "-at_install")
class TestPointsRandomised(LoyaltyTiersPosCommon):
    """Random sequences of earnings, spends, returns, replays and hostile writes by random roles.

    After every step the card holds what the model says, and its open batches hold what the card holds.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier_only_manager = cls._create_sv_user(
            "random_tier_manager", "Tier Manager", ["loyalty_tiers.group_loyalty_tier_manager"], []
        )
        # One multiplier throughout: the tiers stay out of reach, so that the model is plain arithmetic.
        cls.gold.write({"min_spend": 2 * 10**9, "min_topup": 2 * 10**9})
        cls.silver.write({"min_spend": 10**9, "min_topup": 10**9})

    def test_random_sequences_keep_points_and_batches_in_agreement(self):
        PointsMachine.case = self
        run_state_machine_as_test(
            PointsMachine,
            settings=settings(
                max_examples=8,
                stateful_step_count=6,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
