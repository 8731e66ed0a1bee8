import itertools
from uuid import uuid4

from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from odoo.addons.stored_value_crm.tools import card_numbers

from ..models.stored_value_card_stock import StoredValueCardStock
from .common import CommittedShopCase, StoredValuePosCommon


@tagged("post_install", "-at_install")
class TestCardStock(StoredValuePosCommon):
    """Pre-printed cards: a manager prints a batch of unguessable numbers, a counter sells them one by one.

    Users hold only their role and Internal User, as an admin creates them in Settings.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._create_sv_user("stock_clerk", "Clerk", ["stored_value_crm.group_stored_value_user"], [])
        cls.manager = cls._create_sv_user(
            "stock_manager", "Manager", ["stored_value_crm.group_stored_value_manager"], []
        )
        cls.batch = cls.env["stored.value.card.batch"].with_user(cls.manager).create({"quantity": 50, "prefix": "66"})
        cls.batch.action_generate()
        cls.numbers = cls.batch.stock_ids.mapped("name")

    def sell(self, number, user=None, partner=None, pin=None):
        """Issue Stock Card, as a user scans the card at the desk."""
        wizard = (
            self.env["stored.value.stock.sale.wizard"]
            .with_user(user or self.clerk)
            .create({"number": number, "partner_id": (partner or self.holder).id, "new_pin": pin})
        )
        action = wizard.action_confirm()
        return self.env["stored.value.card"].browse(action["res_id"])

    def test_a_manager_prints_unique_unguessable_numbers_with_a_check_digit(self):
        self.assertEqual(self.batch.state, "generated")
        self.assertEqual(self.batch.generated_user_id, self.manager)
        self.assertEqual(len(self.numbers), 50)
        self.assertEqual(len(set(self.numbers)), 50, "no number twice")
        for number in self.numbers:
            self.assertEqual(len(number), 16)
            self.assertTrue(number.startswith("66"))
            self.assertTrue(card_numbers.is_luhn_valid(number), number)
            self.assertFalse(card_numbers.is_luhn_valid(number[:-1] + str((int(number[-1]) + 1) % 10)))
        values = [int(number) for number in self.numbers]
        steps = [abs(after - before) for before, after in itertools.pairwise(values)]
        self.assertGreater(min(steps), 1000, "a number says nothing about the one printed next to it")
        ordered = sorted(values)
        gaps = {after - before for before, after in itertools.pairwise(ordered)}
        self.assertGreater(len(gaps), 1, "not an arithmetic progression")
        self.assertEqual((self.batch.issued_count, self.batch.sold_count, self.batch.unsold_count), (50, 0, 50))
        second = self.env["stored.value.card.batch"].with_user(self.manager).create({"quantity": 20, "prefix": "66"})
        second.action_generate()
        self.assertFalse(set(second.stock_ids.mapped("name")) & set(self.numbers), "unique across batches")
        with self.assertRefused("already generated"):
            second.action_generate()
        self.assertEqual(second.issued_count, 20)

    def test_a_clerk_can_neither_print_numbers_nor_change_a_batch(self):
        with self.assertRaises(AccessError):
            self.env["stored.value.card.batch"].with_user(self.clerk).create({"quantity": 10})
        draft = self.env["stored.value.card.batch"].with_user(self.manager).create({"quantity": 10})
        with self.assertRefused("Only a stored-value manager"):
            draft.with_user(self.clerk).action_generate()
        self.assertFalse(draft.stock_ids)
        with self.assertRaises(AccessError):
            self.batch.with_user(self.manager).write({"state": "draft"})
        with self.assertRefused("cannot change"):
            self.batch.with_user(self.manager).write({"quantity": 1000})
        with self.assertRefused("cannot be deleted"):
            self.batch.with_user(self.manager).unlink()

    def test_numbers_that_could_be_guessed_are_refused(self):
        Batch = self.env["stored.value.card.batch"].with_user(self.manager)
        for values in (
            {"number_length": 8, "prefix": "6612"},
            {"quantity": 0},
            {"prefix": "6A"},
            {"number_length": 30},
        ):
            with self.subTest(values=values), self.assertRefused("Batch"):
                Batch.create({"quantity": 10, **values})

    def test_a_clerk_sells_a_printed_card_once(self):
        number = self.numbers[7]
        card = self.sell(f" {number} ", pin="2580")
        self.assertEqual((card.name, card.partner_id, card.state, card.balance), (number, self.holder, "active", 0.0))
        self.assertTrue(card.has_pin)
        card._check_pin("2580")
        stock = self.batch.stock_ids.filtered(lambda line: line.name == number)
        self.assertEqual((stock.state, stock.card_id, stock.sold_user_id), ("sold", card, self.clerk))
        self.assertEqual((self.batch.sold_count, self.batch.unsold_count), (1, 49))
        with self.assertRefused("already sold"):
            self.sell(number, partner=self.other_holder)
        self.assertEqual(card.partner_id, self.holder)
        with self.assertRefused("not a card number of any printed batch"):
            self.sell("6600000000000000")
        self.top_up(card, 100.0, user=self.clerk)
        self.assertEqual(card.balance, 100.0)
        self.assertLedgerAgrees()

    def test_a_number_of_another_company_or_voided_is_not_sold(self):
        other = self.setup_other_company()["company"]
        foreign = self.env["stored.value.card.batch"].sudo().create({"quantity": 5, "company_id": other.id})
        foreign.action_generate()
        with self.assertRefused("cannot be sold by"):
            self.sell(foreign.stock_ids[0].name)
        stock = self.batch.stock_ids[0]
        with self.assertRefused("Only a stored-value manager"):
            stock.with_user(self.clerk).action_void()
        stock.with_user(self.manager).action_void()
        self.assertEqual((stock.state, self.batch.void_count), ("void", 1))
        with self.assertRefused("voided"):
            self.sell(stock.name)

    def test_nobody_writes_stock_or_takes_a_printed_number_directly(self):
        stock = self.batch.stock_ids[0]
        card = self._create_card(state="active")
        for user in (self.clerk, self.manager, self.pos_cashier):
            for values in ({"state": "sold"}, {"card_id": card.id}, {"state": "void"}, {"name": "6612345678901234"}):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    stock.with_user(user).write(values)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["stored.value.card.stock"].with_user(user).create(
                    {"name": "6612345678901234", "batch_id": self.batch.id, "company_id": self.company.id}
                )
        with self.assertRefused("pre-printed card number"):
            self.env["stored.value.card"].with_user(self.clerk).create(
                {"partner_id": self.holder.id, "name": stock.name}
            )
        self.assertEqual((stock.state, stock.card_id), ("unsold", self.env["stored.value.card"]))

    def test_automatic_card_numbers_skip_printed_ones(self):
        sequence = self.env["ir.sequence"].search([("code", "=", "stored.value.card")])
        upcoming = sequence.get_next_char(sequence.number_next_actual)
        self.env["stored.value.card.stock"].sudo()._posting().create(
            {"name": upcoming, "batch_id": self.batch.id, "company_id": self.company.id}
        )
        card = self._create_card()
        self.assertNotEqual(card.name, upcoming)

    def test_a_cashier_sells_a_printed_card_at_the_pos(self):
        number = self.numbers[3]
        self.company.country_id = self.env.ref("base.cn")
        self.holder.phone = "+8613800001111"
        self.other_holder.phone = "+8613800002222"

        def sell_at_pos(user, stock_number, partner=self.holder, **values):
            member = {"name": partner.name, "phone": partner.phone, "stock_number": stock_number}
            return (
                self.env["res.partner"]
                .with_user(user)
                .pos_open_member(self.config.id, member, str(uuid4()), partner_id=partner.id, **values)
            )

        with self.assertRaises(AccessError):
            sell_at_pos(self.plain_user, number)
        for hostile in (1, [number], {"number": number}, "4242"):
            with self.subTest(hostile=hostile), self.assertRaises(UserError), self.env.cr.savepoint():
                sell_at_pos(self.pos_cashier, hostile)
        result = sell_at_pos(self.pos_cashier, number, pin="1357")
        card = self.env["stored.value.card"].browse(result["card_id"])
        self.assertEqual((card.name, card.partner_id, card.state, card.has_pin), (number, self.holder, "active", True))
        self.assertIn(card.id, [data["id"] for data in result["records"]["stored.value.card"]])
        with self.assertRefused("already sold"):
            sell_at_pos(self.pos_cashier, number, partner=self.other_holder)
        found = self.env["stored.value.card"].with_user(self.pos_cashier).pos_search_cards(self.config.id, code=number)
        self.assertEqual([data["id"] for data in found["stored.value.card"]], card.ids)

    def test_the_sheets_print_every_unsold_number_as_barcode_and_qr(self):
        self.sell(self.numbers[0])
        html = str(
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html("stored_value_crm.stored_value_card_batch_report", self.batch.ids)[0]
        )
        self.assertIn(f"/report/barcode/QR/{self.numbers[1]}", html)
        self.assertIn(f"/report/barcode/Code128/{self.numbers[1]}", html)
        self.assertNotIn(self.numbers[0], html, "a sold card is not printed again")


@tagged("post_install", "-at_install")
class TestCardStockConcurrency(CommittedShopCase):
    """Two counters selling the same printed card at once, each in its own database transaction."""

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            batch = env["stored.value.card.batch"].create({"quantity": 2})
            batch.action_generate()
            self.number = batch.stock_ids[0].name
            self.partner_ids = env["res.partner"].create([{"name": "First buyer"}, {"name": "Second buyer"}]).ids

    def _sell(self, partner_id):
        try:
            with self.committed_env(uid=self.cashier_id) as env:
                partner = env["res.partner"].browse(partner_id)
                return "ok", retrying(lambda: env["stored.value.card.stock"]._sell(self.number, partner).id, env)
        except UserError as error:
            return "refused", str(error)

    def test_a_printed_card_is_sold_once(self):
        results = self.race(
            self._sell, (self.partner_ids[0],), (self.partner_ids[1],), hold=(StoredValueCardStock, "_sell")
        )
        self.assertEqual([status for status, _ in results], ["ok", "refused"])
        self.assertIn("already sold", results[1][1])
        with self.committed_env() as env:
            card = env["stored.value.card"].search([("name", "=", self.number)])
            self.assertEqual((len(card), card.partner_id.id), (1, self.partner_ids[0]))
            self.assertEqual(env["stored.value.card.stock"].search([("name", "=", self.number)]).card_id, card)
