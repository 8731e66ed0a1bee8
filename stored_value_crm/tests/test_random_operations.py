import math

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import StoredValuePosCommon

REFUSALS = (AccessError, UserError)
AMOUNTS = st.one_of(
    st.sampled_from([0.0, -10.0, math.nan, math.inf, 1e12, 0.005, 12.345]),
    st.integers(min_value=1, max_value=300).map(float),
)
PROTECTED = ("principal_balance", "bonus_balance", "balance", "partner_id", "state", "new_pin", "name")


class WalletMachine(RuleBasedStateMachine):
    """Random top-ups, spends, refunds, transfers, returns and replays by random roles, honest or not.

    The machine keeps what each card should hold; after every step the cards hold exactly that, each
    card's ledger sums to its balance, and the books owe exactly the principal on the cards.
    """

    case = None  # the test case whose data and transaction the machine runs in

    def __init__(self):
        super().__init__()
        case = self.case
        self.savepoint = case.env.cr.savepoint()
        self.savepoint.__enter__()
        self.cards = [case._create_card(state="active"), case._create_card(partner=case.other_holder, state="active")]
        for card in self.cards:
            card._set_pin("2468")
        self.expected = dict.fromkeys(self.cards, 0.0)
        self.paid_orders = []  # (order, card, amount still refundable)
        self.wizards = []  # confirmed top-up wizards, for replays

    def teardown(self):
        self.savepoint.close(rollback=True)
        self.case.env.invalidate_all()

    # ------------------------------------------------------------------

    @rule(card=st.integers(0, 1), amount=AMOUNTS, role=st.sampled_from(["clerk", "manager", "cashier", "plain"]))
    def top_up_at_the_desk(self, card, amount, role):
        card = self.cards[card]
        user = self.case.users[role]
        try:
            with self.case.env.cr.savepoint():
                wizard = (
                    self.case.env["stored.value.topup.wizard"]
                    .with_user(user)
                    .create({"card_id": card.id, "amount": amount, "journal_id": self.case.cash_journal.id})
                )
                wizard.action_confirm()
        except REFUSALS:
            return
        self.expected[card] += amount
        self.wizards.append(wizard)

    @precondition(lambda self: self.wizards)
    @rule(pick=st.integers(0, 99))
    def replay_a_top_up(self, pick):
        self.wizards[pick % len(self.wizards)].action_confirm()  # the same request again books nothing

    @rule(card=st.integers(0, 1), amount=AMOUNTS)
    def pay_at_the_till(self, card, amount):
        card = self.cards[card]
        case = self.case
        if not (isinstance(amount, float) and math.isfinite(amount)) or amount <= 0 or amount > 1000:
            return
        line = {"product": case.haircut, "quantity": 1, "price_unit": amount}
        data = case.card_order([line], [(case.sv_method, amount)], card=card)
        data["lines"][0][2].update(price_subtotal=amount, price_subtotal_incl=amount)
        data.update(amount_total=amount, amount_paid=amount, amount_tax=0.0)
        payment = data["payment_ids"][0][2]
        try:
            payment["stored_value_pin_token"] = card.with_user(case.pos_cashier).pos_verify_pin(
                "2468", data["uuid"], payment["uuid"], amount
            )
        except REFUSALS:
            return  # the terminal shows the refusal (an amount finer than the currency, say)
        order = case.sync(data, user=case.pos_cashier)
        if order.payment_ids.stored_value_state == "booked":
            self.expected[card] -= amount
            self.paid_orders.append([order, card, amount])
        else:
            self.case.assertGreater(
                case.currency.round(amount), case.currency.round(self.expected[card]), "refused only when short"
            )

    @precondition(lambda self: self.paid_orders)
    @rule(pick=st.integers(0, 99), share=st.sampled_from([0.5, 1.0, 2.0]))
    def return_at_the_till(self, pick, share):
        entry = self.paid_orders[pick % len(self.paid_orders)]
        order, card, left = entry
        case = self.case
        amount = case.currency.round(order.amount_total * share / 2)
        line = {"product": case.haircut, "quantity": -1, "price_unit": amount, "refunded_orderline_id": order.lines.id}
        refund = case.card_order([line], [(case.sv_method, -amount)], card=card, is_refund=True)
        refund["lines"][0][2].update(price_subtotal=amount, price_subtotal_incl=amount)
        refund.update(amount_total=-amount, amount_paid=-amount, amount_tax=0.0)
        synced = case.sync(refund, user=case.pos_cashier).filtered("is_refund")
        if synced.payment_ids.stored_value_state == "booked":
            case.assertLessEqual(amount, left + 0.001, "a card takes back no more than it paid")
            self.expected[card] += amount
            entry[2] = left - amount

    @rule(source=st.integers(0, 1), amount=AMOUNTS, role=st.sampled_from(["clerk", "manager"]), pin=st.booleans())
    def transfer(self, source, amount, role, pin):
        source, target = self.cards[source], self.cards[1 - source]
        values = {"card_id": source.id, "target_card_id": target.id, "amount": amount}
        if pin:
            values["holder_pin"] = "2468"
        try:
            with self.case.env.cr.savepoint():
                self.case.env["stored.value.transfer.wizard"].with_user(self.case.users[role]).create(
                    values
                ).action_confirm()
        except REFUSALS:
            return
        self.case.assertTrue(role == "manager" or pin, "another holder's money moves with the PIN or a manager")
        self.expected[source] -= amount
        self.expected[target] += amount

    @rule(
        card=st.integers(0, 1), field=st.sampled_from(PROTECTED), role=st.sampled_from(["clerk", "manager", "cashier"])
    )
    def write_a_value_field(self, card, field, role):
        card = self.cards[card]
        value = {"partner_id": self.case.other_holder.id, "state": "closed", "new_pin": "1111", "name": "X-1"}.get(
            field, 99999.0
        )
        with self.case.assertRaises(AccessError), self.case.env.cr.savepoint():
            card.with_user(self.case.users[role]).write({field: value})

    # ------------------------------------------------------------------

    @invariant()
    def books_agree(self):
        case = self.case
        case.env.invalidate_all()
        for card, expected in self.expected.items():
            case.assertAlmostEqual(card.balance, expected, places=2)
        case.assertEqual(case.env["stored.value.card"].browse([c.id for c in self.cards])._ledger_discrepancies(), {})
        case.assertLedgerAgrees()


@tagged("post_install", "-at_install")
class TestRandomOperations(StoredValuePosCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "clerk": cls._create_sv_user("rand_clerk", "Clerk", ["stored_value_crm.group_stored_value_user"], []),
            "manager": cls._create_sv_user(
                "rand_manager", "Manager", ["stored_value_crm.group_stored_value_manager"], []
            ),
            "cashier": cls.pos_cashier,
            "plain": cls.plain_user,
        }
        cls.cards = [cls._create_card(state="active"), cls._create_card(partner=cls.other_holder, state="active")]
        for card in cls.cards:
            card._set_pin("2468")

    def test_random_sequences_keep_every_card_and_the_books_right(self):
        class Machine(WalletMachine):
            case = self

        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=8,
                stateful_step_count=12,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
