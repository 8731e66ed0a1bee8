import contextlib
from uuid import uuid4

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from ..models.stored_value_card import StoredValueCard
from .common import CommittedShopCase, StoredValuePosCommon


@tagged("post_install", "-at_install")
class TestCardReissue(StoredValuePosCommon):
    """A lost, stolen or damaged card: frozen at once, then a new number takes over all it held.

    Users hold only their role and Internal User, as an admin creates them in Settings.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._create_sv_user("lost_clerk", "Clerk", ["stored_value_crm.group_stored_value_user"], [])
        cls.manager = cls._create_sv_user(
            "lost_manager", "Manager", ["stored_value_crm.group_stored_value_manager"], []
        )
        cls._create_rule(100, 20, validity_days=30)

    def setUp(self):
        super().setUp()
        with freeze_time("2026-03-01"):
            self.top_up(self.card, 300.0)  # 300 principal, 20 bonus expiring on 2026-03-31
        self.pay_with_card(self.make_invoice(50.0), self.card, pin=None)
        self.card._set_pin("2468")
        self.principal, self.bonus = self.card.principal_balance, self.card.bonus_balance
        self.deposits = self.deposits_owed()

    def reissue(self, user, **values):
        """Reissue through the consent wizard, as the card form's button opens it; return the new card."""
        wizard = (
            self.env["stored.value.consent.wizard"]
            .with_user(user)
            .create({"card_id": self.card.id, "operation": "reissue", **values})
        )
        action = wizard.action_confirm()
        return wizard, self.env["stored.value.card"].browse(action["res_id"])

    def assertTookOver(self, new_card):
        """The new card holds exactly what the old one held, through one pair of entries; the old one is closed."""
        self.assertEqual((self.card.state, self.card.balance, self.card.replaced_by_id), ("closed", 0.0, new_card))
        self.assertEqual(new_card.replaces_id, self.card)
        self.assertEqual(
            (new_card.partner_id, new_card.company_id, new_card.currency_id, new_card.state),
            (self.holder, self.company, self.currency, "active"),
        )
        self.assertEqual((new_card.principal_balance, new_card.bonus_balance), (self.principal, self.bonus))
        moved_out = self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "reissue_out")
        self.assertEqual((moved_out.principal_amount, moved_out.bonus_amount), (-self.principal, -self.bonus))
        self.assertEqual(new_card.ledger_ids.mapped("entry_type"), ["reissue_in"])
        self.assertEqual(new_card.ledger_ids.source_ref, self.card)
        self.assertEqual(self.deposits_owed(), self.deposits, "the same holder is owed the same: no journal entry")
        new_card._check_pin("2468")  # the holder keeps the PIN
        self.assertLedgerAgrees()

    def test_a_clerk_reports_a_card_lost_and_it_is_frozen_at_once(self):
        self.card.with_user(self.clerk).action_report_lost()
        self.env["stored.value.loss.wizard"].with_user(self.clerk).create(
            {"card_id": self.card.id, "loss_reason": "stolen", "note": "Bag stolen on the metro"}
        ).action_confirm()
        self.assertEqual((self.card.state, self.card.loss_reason), ("frozen", "stolen"))
        self.assertTrue(self.card.loss_date)
        self.assertIn("Bag stolen on the metro", "".join(self.card.message_ids.mapped("body")))
        with self.assertRefused("is frozen"):
            self.pay_with_card(self.make_invoice(10.0), self.card, pin="2468")
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.card.with_user(self.clerk).write({"loss_reason": False})
        self.consent(self.card, "unfreeze", user=self.clerk, holder_pin="2468", reason="Found at home")
        self.assertEqual((self.card.state, self.card.loss_reason), ("active", False))

    def test_a_cashier_reports_a_card_lost_at_the_pos(self):
        with self.assertRaises(AccessError):
            self.card.with_user(self.plain_user).pos_report_lost("lost")
        with self.assertRefused("lost, stolen or damaged"):
            self.card.with_user(self.pos_cashier).pos_report_lost("1000")
        self.card.with_user(self.pos_cashier).pos_report_lost("lost")
        self.assertEqual((self.card.state, self.card.loss_reason), ("frozen", "lost"))

    def test_a_wrong_pin_is_refused_and_counted(self):
        with self.assertRefused("needs the holder's PIN"):
            self.reissue(self.clerk)
        with self.enter_registry_test_mode(), contextlib.suppress(UserError):
            # Not assertRaises: its savepoint would roll the counted try back with the error.
            self.reissue(self.clerk, holder_pin="1111")
        self.card.invalidate_recordset()
        self.assertEqual(self.card.pin_failed_attempts, 1)
        self.assertEqual((self.card.state, self.card.balance), ("active", self.principal + self.bonus))
        self.assertFalse(self.card.replaced_by_id)

    def test_with_the_holders_pin_a_new_number_takes_over_everything(self):
        self.card.with_user(self.clerk)._report_lost("damaged")
        wizard, new_card = self.reissue(self.clerk, holder_pin="2468", reason="Card snapped")
        self.assertNotEqual(new_card.name, self.card.name)
        self.assertTookOver(new_card)
        self.assertEqual(str(new_card.ledger_ids.bonus_expiry_date), "2026-03-31", "the bonus keeps its expiry")
        self.assertEqual(new_card._with_replaced_cards(), new_card | self.card)
        # The button pressed twice, the request replayed: one new card, one movement.
        again = wizard.action_confirm()
        self.assertEqual(again["res_id"], new_card.id)
        self.assertEqual(self.card._reissue(f"stored.value.consent.wizard/{wizard.id}", "again"), new_card)
        self.assertEqual(len(self.env["stored.value.card"].search([("replaces_id", "=", self.card.id)])), 1)
        self.assertEqual(len(new_card.ledger_ids), 1)
        self.assertLedgerAgrees()

    def test_a_manager_reissues_onto_a_pre_printed_card_without_the_pin(self):
        batch = self.env["stored.value.card.batch"].with_user(self.manager).create({"quantity": 3})
        batch.action_generate()
        stock = batch.stock_ids[0]
        self.card.action_freeze()
        _wizard, new_card = self.reissue(self.manager, stock_number=stock.name, loss_reason="lost")
        self.assertEqual(new_card.name, stock.name)
        self.assertEqual((stock.state, stock.card_id), ("sold", new_card))
        self.assertEqual(self.card.loss_reason, "lost")
        self.assertTookOver(new_card)
        other = self._create_card(state="active")
        with self.assertRefused("already sold"):
            other.with_user(self.manager)._reissue("test/reissue/other", "Lost", stock_number=stock.name)
        self.assertEqual(other.state, "active")

    def test_the_old_number_is_refused_everywhere(self):
        _wizard, new_card = self.reissue(self.manager)
        with self.assertRefused("closed"):
            self.top_up(self.card, 10.0)
        with self.assertRefused("closed"):
            self.pay_with_card(self.make_invoice(10.0), self.card, pin="2468")
        with self.assertRefused("closed"):
            self.card._spend(10.0, "lost/spend", pin="2468")
        with self.assertRefused("Only active or frozen cards"):
            self.reissue(self.manager)
        found = (
            self.env["stored.value.card"]
            .with_user(self.pos_cashier)
            .pos_search_cards(self.config.id, code=self.card.name)
        )
        self.assertEqual(found["stored.value.card"], [])
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], card=self.card)
        payment = data["payment_ids"][0][2]
        tries = self.card.pin_failed_attempts
        with self.assertRefused("closed"):
            self.card.with_user(self.pos_cashier).pos_verify_pin("2468", data["uuid"], payment["uuid"], 60.0)
        self.assertEqual(self.card.pin_failed_attempts, tries, "a closed number's PIN is not even tried")
        # A terminal that was offline sends the payment it took with the old number anyway.
        order = self.sync(data, user=self.pos_cashier)
        card_payment = order.payment_ids.filtered("stored_value_card_id")
        self.assertEqual(card_payment.stored_value_state, "uncovered")
        self.assertIn("closed", card_payment.stored_value_issue)
        self.assertEqual(self.card.balance, 0.0)
        self.pay_with_card(self.make_invoice(10.0), new_card, pin="2468")
        self.assertEqual(new_card.balance, self.principal + self.bonus - 10.0)
        self.assertLedgerAgrees()

    def test_nobody_links_cards_or_marks_them_lost_directly(self):
        other = self._create_card(state="active")
        for user in (self.clerk, self.manager, self.pos_cashier):
            for values in ({"replaced_by_id": other.id}, {"replaces_id": other.id}, {"loss_reason": "lost"}):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    self.card.with_user(user).write(values)
        with self.assertRaises(AccessError):
            self.env["stored.value.card"].with_user(self.clerk).create(
                {"partner_id": self.holder.id, "replaces_id": self.card.id}
            )
        wizard = (
            self.env["stored.value.consent.wizard"]
            .with_user(self.clerk)
            .create({"card_id": self.card.id, "operation": "reissue", "holder_pin": "2468"})
        )
        with self.assertRaises(AccessError):
            wizard.write({"stock_number": "6600000000000001"})

    def test_a_cashier_reissues_at_the_pos_with_the_holders_pin(self):
        request = str(uuid4())
        Card = self.card.with_user(self.pos_cashier)
        with self.assertRefused("not a valid identifier"):
            Card.pos_reissue("2468", "not-a-uuid")
        with self.enter_registry_test_mode(), contextlib.suppress(UserError):
            Card.pos_reissue("0000", request)
        self.card.invalidate_recordset()
        self.assertEqual((self.card.pin_failed_attempts, self.card.state), (1, "active"))
        result = Card.pos_reissue("2468", request)
        new_card = self.env["stored.value.card"].browse(result["id"])
        self.assertEqual(result["name"], new_card.name)
        self.assertTookOver(new_card)
        self.assertEqual(Card.pos_reissue("2468", request), result, "a re-sent request gets the same card")
        self.assertLedgerAgrees()


@tagged("post_install", "-at_install")
class TestCardReissueConcurrency(CommittedShopCase):
    """A reissue racing its own replay, or a payment, each in its own database transaction."""

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "Holder who lost a card"})
            card = env["stored.value.card"].create({"partner_id": partner.id})
            card.action_activate()
            card._lock()
            card._post_movement("opening", 100.0, 0.0, f"reissue/opening/{card.id}")
            self.card_id = card.id

    def _reissue(self, key):
        try:
            with self.committed_env() as env:
                card = env["stored.value.card"].browse(self.card_id)
                return "ok", retrying(lambda: card._reissue(key, "Lost").id, env)
        except UserError as error:
            return "refused", str(error)

    def _spend(self, key):
        try:
            with self.committed_env() as env:
                card = env["stored.value.card"].browse(self.card_id)
                return "ok", retrying(lambda: card._spend(30.0, key).id, env)
        except UserError as error:
            return "refused", str(error)

    def _cards(self):
        with self.committed_env() as env:
            old = env["stored.value.card"].browse(self.card_id)
            new = env["stored.value.card"].search([("replaces_id", "=", old.id)])
            self.assertEqual((old | new)._ledger_discrepancies(), {})
            return old.state, old.balance, len(new), new.balance

    def test_a_reissue_sent_twice_at_once_makes_one_card(self):
        key = f"reissue/twice/{self.card_id}"
        results = self.race(self._reissue, (key,), (key,), hold=(StoredValueCard, "_reissue"))
        self.assertEqual([status for status, _ in results], ["ok", "ok"])
        self.assertEqual(results[0][1], results[1][1], "the replay returns the card the first one made")
        self.assertEqual(self._cards(), ("closed", 0.0, 1, 100.0))

    def test_a_payment_racing_a_reissue_is_refused_on_the_closed_card(self):
        results = self.race(
            lambda kind, key: (kind, *(self._reissue(key) if kind == "reissue" else self._spend(key))),
            ("reissue", f"reissue/race/{self.card_id}"),
            ("spend", f"reissue/race/spend/{self.card_id}"),
            hold=(StoredValueCard, "_reissue"),
        )
        statuses = {kind: (status, message) for kind, status, message in results}
        self.assertEqual(statuses["reissue"][0], "ok")
        self.assertEqual(statuses["spend"][0], "refused")
        self.assertIn("closed", statuses["spend"][1])
        self.assertEqual(self._cards(), ("closed", 0.0, 1, 100.0), "nothing spent, nothing lost")
