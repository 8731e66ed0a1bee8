import threading
import time
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, mute_logger

from ..models.loyalty_card import LoyaltyCard


@tagged("post_install", "-at_install")
class TestPosPointsConcurrency(BaseCase):
    """Two POS sessions booking the points of one member at once, each in its own database transaction.

    The shop is committed, as real terminals see it, in a company of its own that no other test reads.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        # The test runner holds the registry lock while tests run; the terminals' threads need registry access.
        lock_patch = patch.object(Registry, "_lock", DummyRLock())
        lock_patch.start()
        cls.addClassCleanup(lock_patch.stop)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create({"name": f"Concurrent Points Shop {uuid.uuid4()}"})
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            env = env(context={"allowed_company_ids": company.ids})
            cashier = env["res.users"].create(
                {
                    "name": "Concurrent Points Cashier",
                    "login": f"points-cashier-{company.id}",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [
                        Command.link(env.ref("base.group_user").id),
                        Command.link(env.ref("point_of_sale.group_pos_user").id),
                    ],
                }
            )
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrent Points",
                    "program_type": "loyalty",
                    "applies_on": "both",
                    "trigger": "auto",
                    "company_id": company.id,
                    "rule_ids": [
                        Command.clear(),
                        Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0}),
                    ],
                    "reward_ids": [
                        Command.clear(),
                        Command.create({"reward_type": "discount", "discount": 10, "required_points": 100}),
                    ],
                }
            )
            env["loyalty.tier"].create({"name": "Member", "program_id": program.id})
            cash = env["pos.payment.method"].create(
                {
                    "name": "Cash",
                    "journal_id": env["account.journal"]
                    .search([("type", "=", "cash"), ("company_id", "=", company.id)], limit=1)
                    .id,
                    "company_id": company.id,
                }
            )
            cls.session_ids = []
            for till in ("Till 1", "Till 2"):
                config = env["pos.config"].create(
                    {"name": till, "company_id": company.id, "payment_method_ids": [Command.set(cash.ids)]}
                )
                config.with_user(cashier).open_ui()
                cls.session_ids.append(config.current_session_id.id)
            product = env["product.product"].create(
                {"name": "Massage", "list_price": 70.0, "available_in_pos": True, "taxes_id": False}
            )
            cls.cashier_id, cls.program_id, cls.cash_id = cashier.id, program.id, cash.id
            cls.product_id, cls.reward_id = product.id, program.reward_ids.id
            cls.reward_product_id = program.reward_ids.discount_line_product_id.id

    def _member(self, points):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent Member"})
            card = env["loyalty.card"].create(
                {"program_id": self.program_id, "partner_id": partner.id, "points": points}
            )
            return card.id, partner.id

    def _order(self, session_id, card_id, partner_id, spend=False):
        """An order of 70 paid in cash: it earns 70 points and, with ``spend``, takes a 10 discount for 100."""
        order_uuid = str(uuid.uuid4())
        lines = [
            {
                "product_id": self.product_id,
                "qty": 1,
                "price_unit": 70.0,
                "price_subtotal": 70.0,
                "price_subtotal_incl": 70.0,
                "tax_ids": [(6, 0, [])],
                "uuid": f"{order_uuid}-line",
            }
        ]
        if spend:
            lines.append(
                {
                    "product_id": self.reward_product_id,
                    "qty": 1,
                    "price_unit": -10.0,
                    "price_subtotal": -10.0,
                    "price_subtotal_incl": -10.0,
                    "tax_ids": [(6, 0, [])],
                    "is_reward_line": True,
                    "reward_id": self.reward_id,
                    "coupon_id": card_id,
                    "points_cost": 100.0,
                    "reward_identifier_code": f"{order_uuid}-reward",
                    "uuid": f"{order_uuid}-reward-line",
                }
            )
        total = 60.0 if spend else 70.0
        order = {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": session_id,
            "partner_id": partner_id,
            "user_id": self.cashier_id,
            "amount_paid": total,
            "amount_return": 0.0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "last_order_preparation_change": "{}",
            "lines": [(0, 0, line) for line in lines],
            "payment_ids": [(0, 0, {"amount": total, "payment_method_id": self.cash_id, "uuid": f"{order_uuid}-pay"})],
        }
        spent = 100.0 if spend else 0.0
        points = {
            str(card_id): {
                "points": 70.0 - spent,
                "points_earned": 70.0,
                "points_spent": spent,
                "program_id": self.program_id,
                "coupon_id": card_id,
                "barcode": False,
                "line_codes": [f"{order_uuid}-reward"] if spend else [],
            }
        }
        return order, points

    def _sync(self, order):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.cashier_id, {})
            return retrying(lambda: env["pos.order"].sync_from_ui([dict(order)]), env)["pos.order"][-1]["id"]

    def _confirm_in_own_transaction(self, order_id, points, results):
        """The terminal's request that books the points of a synced order, in Odoo's retry loop."""
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.cashier_id, {})
                order = env["pos.order"].browse(order_id)
                retrying(lambda: order.confirm_coupon_programs(dict(points)), env)
                results.append("ok")
        except (UserError, ValidationError) as error:
            results.append(str(error))

    def _race(self, first, second):
        """The first terminal holds the card's lock after booking while the second one books."""
        results, booked = [], threading.Event()
        book = LoyaltyCard._book_point_change

        def book_then_hold(card, change):
            book(card, change)
            if threading.current_thread().name == "till-1":
                booked.set()
                time.sleep(0.5)  # the second terminal is now blocked behind this transaction

        threads = [
            threading.Thread(target=self._confirm_in_own_transaction, args=(*args, results), name=name)
            for name, args in (("till-1", first), ("till-2", second))
        ]
        with patch.object(LoyaltyCard, "_book_point_change", book_then_hold), mute_logger("odoo.sql_db"):
            threads[0].start()
            booked.wait(30)
            threads[1].start()
            for thread in threads:
                thread.join(60)
        return results

    def _card_state(self, card_id):
        """Points of the card, points left in its batches, number of batches and of history lines."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT card.points,
                              (SELECT SUM(remaining) FROM loyalty_point_batch WHERE card_id = card.id),
                              (SELECT COUNT(*) FROM loyalty_point_batch WHERE card_id = card.id),
                              (SELECT COUNT(*) FROM loyalty_history WHERE card_id = card.id)
                         FROM loyalty_card card WHERE card.id = %s""",
                    card_id,
                )
            )
            points, remaining, batches, history = cr.fetchone()
            return float(points), float(remaining or 0.0), batches, history

    def _synced(self, card_id, partner_id, session_id, spend=False):
        order, points = self._order(session_id, card_id, partner_id, spend=spend)
        return self._sync(order), points

    def test_two_sessions_crediting_one_card_at_once_book_both(self):
        card_id, partner_id = self._member(0.0)
        first = self._synced(card_id, partner_id, self.session_ids[0])
        second = self._synced(card_id, partner_id, self.session_ids[1])
        self.assertEqual(self._race(first, second), ["ok", "ok"])
        self.assertEqual(self._card_state(card_id), (140.0, 140.0, 2, 2), "no earning lost, none booked twice")

    def test_two_sessions_spending_one_card_at_once_never_overspend_it(self):
        card_id, partner_id = self._member(50.0)
        first = self._synced(card_id, partner_id, self.session_ids[0], spend=True)
        second = self._synced(card_id, partner_id, self.session_ids[1], spend=True)
        results = self._race(first, second)
        self.assertEqual(results[0], "ok")
        self.assertRegex(results[1], "spends 100.0 points of card .* which holds 20.0")
        # 50 + 70 - 100; the second order's 70 + 20 held do not pay for another 100.
        self.assertEqual(self._card_state(card_id), (20.0, 20.0, 2, 1))

    def test_one_order_confirmed_twice_at_once_books_once(self):
        card_id, partner_id = self._member(0.0)
        synced = self._synced(card_id, partner_id, self.session_ids[0])
        self.assertEqual(self._race(synced, synced), ["ok", "ok"], "the replay answers like the first call")
        self.assertEqual(self._card_state(card_id), (70.0, 70.0, 1, 1))
