from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import StoredValuePosCommon


@tagged("post_install", "-at_install")
class TestPosWalletPayment(StoredValuePosCommon):
    """Card payments taken at the POS, as the server books them when the order arrives."""

    def setUp(self):
        super().setUp()
        self.top_up(self.card, 100.0)

    def test_card_pays_a_whole_order_and_the_session_clears_deposits(self):
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        self.assertEqual(order.state, "paid")
        self.assertEqual(self.card.balance, 40.0)
        payment = order.payment_ids
        self.assertEqual(
            (payment.stored_value_state, payment.stored_value_balance_before, payment.stored_value_balance_after),
            ("booked", 100.0, 40.0),
        )
        entry = payment.stored_value_ledger_id
        self.assertEqual((entry.entry_type, entry.amount, entry.source_ref), ("spend", -60.0, order))
        self.assertEqual(order.stored_value_ledger_ids, entry)

        session = self.close_session()
        deposit_lines = session._get_related_account_moves().line_ids.filtered(
            lambda line: line.account_id == self.deposit_account
        )
        self.assertEqual(
            sum(deposit_lines.mapped("debit")), 60.0, "the session's entries take the payment off deposits"
        )
        self.assertLedgerAgrees()

    def test_card_and_cash_share_an_order(self):
        order = self.sync(self.card_order([(self.haircut, 2)], [(self.sv_method, 100.0), (self.cash_method, 20.0)]))
        self.assertEqual(order.state, "paid")
        self.assertEqual(self.card.balance, 0.0)
        self.assertEqual(order.payment_ids.filtered("stored_value_card_id").stored_value_balance_after, 0.0)
        self.close_session()
        self.assertLedgerAgrees()

    def test_spent_bonus_is_an_expense_not_a_use_of_deposits(self):
        self._create_rule(50.0, 10.0)
        self.top_up(self.card, 50.0)  # principal 150, bonus 10
        self.company.stored_value_spend_order = "bonus_first"
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        payment = order.payment_ids
        self.assertEqual(payment.stored_value_bonus_used, 10.0)
        bonus_move = self.env["account.move"].search(
            [("stored_value_ledger_id", "=", payment.stored_value_ledger_id.id)]
        )
        self.assertEqual(bonus_move.line_ids.filtered(lambda line: line.account_id == self.expense_account).debit, 10.0)
        self.close_session()
        self.assertLedgerAgrees()

    def test_an_order_synced_twice_books_once(self):
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        first = self.sync(data)
        replay = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], uuid=data["uuid"]))
        self.assertEqual(first, replay)
        self.assertEqual(self.card.balance, 40.0)
        self.assertEqual(len(self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "spend")), 1)

    def test_offline_payment_the_card_no_longer_covers_is_kept_and_flagged(self):
        first = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        # A second terminal took this payment offline, when the card still showed 100.
        late = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        self.assertEqual((first.stored_value_review, late.stored_value_review), (False, True))
        self.assertEqual(late.state, "paid", "the order is saved, not lost")
        self.assertEqual(self.card.balance, 40.0, "the card is never overdrawn")
        payment = late.payment_ids
        self.assertEqual(payment.stored_value_state, "uncovered")
        self.assertIn("less than the", payment.stored_value_issue)
        activity = self.card.activity_ids.filtered(lambda activity: late.name in activity.summary)
        self.assertEqual(activity.user_id, self.company._stored_value_manager())
        self.assertLedgerAgrees()
        self.close_session()
        receivable = self.env["account.move.line"].search(
            [("partner_id", "=", self.holder.id), ("account_id", "=", self.receivable_account.id)]
        )
        self.assertEqual(sum(receivable.mapped("balance")), 60.0, "the customer owes what the card could not pay")
        self.assertEqual(payment.stored_value_move_id.state, "posted")
        self.assertLedgerAgrees()

        late.with_user(self.sv_manager).action_stored_value_settled()
        self.assertFalse(late.stored_value_review)

    def test_frozen_card_payment_is_flagged_not_booked(self):
        self.card.action_freeze()
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        self.assertTrue(order.stored_value_review)
        self.assertIn("frozen", order.payment_ids.stored_value_issue)
        self.assertEqual(self.card.balance, 100.0)

    def test_pin_card_pays_only_with_the_terminal_proof(self):
        self.card._set_pin("2468")
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        payment_uuid = data["payment_ids"][0][2]["uuid"]
        card_at_till = self.card.with_user(self.pos_cashier)
        with self.assertRefused("Wrong PIN"):
            card_at_till.pos_verify_pin("1111", data["uuid"], payment_uuid, 60.0)
        data["payment_ids"][0][2]["stored_value_pin_token"] = card_at_till.pos_verify_pin(
            "2468", data["uuid"], payment_uuid, 60.0
        )
        order = self.sync(data, user=self.pos_cashier)
        self.assertEqual(order.payment_ids.stored_value_state, "booked")
        self.assertEqual(self.card.balance, 40.0)

        forged = self.card_order(
            [(self.haircut, 1)], [(self.sv_method, 20.0, {"stored_value_pin_token": "x"}), (self.cash_method, 40.0)]
        )
        order = self.sync(forged, user=self.pos_cashier)
        self.assertIn("PIN", order.payment_ids.filtered("stored_value_card_id").stored_value_issue)
        self.assertEqual(self.card.balance, 40.0)

    def test_refund_credits_the_card_back_with_its_bonus_share(self):
        self._create_rule(50.0, 20.0)
        self.top_up(self.card, 50.0)  # principal 150, bonus 20
        self.company.stored_value_spend_order = "proportional"
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        spent = order.payment_ids.stored_value_ledger_id
        refund_data = self.card_order(
            [{"product": self.haircut, "quantity": -1, "refunded_orderline_id": order.lines.id}],
            [(self.sv_method, -60.0)],
            is_refund=True,
        )
        refund = self.sync(refund_data).filtered("is_refund")
        credit = refund.payment_ids.stored_value_ledger_id
        self.assertEqual((credit.entry_type, credit.source_ref), ("refund", refund))
        self.assertEqual((credit.principal_amount, credit.bonus_amount), (-spent.principal_amount, -spent.bonus_amount))
        self.assertEqual(self.card.balance, 170.0)
        self.close_session()
        self.assertLedgerAgrees()

    def test_cashier_finds_cards_but_other_employees_cannot(self):
        Card = self.env["stored.value.card"]
        found = Card.with_user(self.pos_cashier).pos_search_cards(self.config.id, code=self.card.name)
        self.assertEqual([card["id"] for card in found["stored.value.card"]], self.card.ids)
        self.assertEqual(found["stored.value.card"][0]["balance"], 100.0)
        self.assertEqual([partner["id"] for partner in found["res.partner"]], self.holder.ids)
        with self.assertRaises(AccessError):
            Card.with_user(self.plain_user).pos_search_cards(self.config.id, code=self.card.name)

    def test_terminal_texts_reach_chinese_cashiers(self):
        """The POS loads its texts in the cashier's language: ours are in the catalogue it loads."""
        translations, _lang = self.env["ir.http"]._get_translations_for_webclient(["stored_value_crm"], "zh_CN")
        messages = {message["id"]: message["string"] for message in translations["stored_value_crm"]["messages"]}
        self.assertEqual(messages["Card cannot pay"], "储值卡不能付款")
        self.assertEqual(messages["Top Up Card"], "储值卡充值")
        self.assertEqual(
            messages["Not covered by the card: a manager will contact you."], "储值卡余额不足以支付：经理将与您联系。"
        )

    def test_a_reprint_reads_the_figures_the_first_receipt_printed(self):
        """A reprint renders the order the terminal reloads from the server: its card figures come along."""
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)]))
        reloaded = self.env["pos.order"].with_user(self.pos_cashier).read_pos_orders([("id", "=", order.id)])
        payment = next(line for line in reloaded["pos.payment"] if line["payment_method_id"] == self.sv_method.id)
        self.assertEqual(
            (
                payment["stored_value_card_number"],
                payment["stored_value_balance_before"],
                payment["stored_value_balance_after"],
                payment["stored_value_bonus_used"],
                payment["stored_value_state"],
            ),
            # The cashier found no card by its number here: it comes masked, as the receipt prints it.
            (self.card.masked_number, 100.0, 40.0, 0.0, "booked"),
        )
