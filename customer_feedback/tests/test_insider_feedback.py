import re
from contextlib import closing

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL, mute_logger

from .common import CustomerFeedbackCommon

CJK = re.compile(r"[\u4e00-\u9fff]")
HOSTILE_AMOUNTS = (-20.0, float("nan"), float("inf"), 1e300, 20.004, "20", True)
HOSTILE_POINTS = (-5.0, float("nan"), float("-inf"), 1e300, 10.005)
# Every public method of the models customer_feedback adds or extends, each tried below with hostile arguments.
HOSTILE_COVERAGE = {
    ("customer.feedback.case", "create"),
    ("customer.feedback.case", "write"),
    ("customer.feedback.case", "create_from_pos"),
    ("customer.feedback.case", "action_start"),
    ("customer.feedback.case", "action_resolve"),
    ("customer.feedback.case", "action_close"),
    ("customer.feedback.case", "action_reopen"),
    ("customer.feedback.case", "action_grant_compensation"),
    ("customer.feedback.case", "action_approve_compensation"),
    ("customer.feedback.case", "action_refuse_compensation"),
    ("customer.feedback.invitation", "action_send_now"),
    ("customer.feedback.invitation", "action_cancel"),
    ("customer.feedback.invitation.rule", "action_view_invitations"),
    ("res.partner", "action_view_feedback_cases"),
}


class InsiderFeedbackCommon(CustomerFeedbackCommon):
    """Users holding one role each (plus Internal User), two companies, and the books to check after each try."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Refusals are checked in Chinese: a message that stays English was not translated.
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["base", "customer_feedback"], ["zh_CN"])
        cls.second_manager = cls._create_sv_user(
            "fb_manager_2", "Second Service Manager", ["customer_feedback.group_customer_feedback_manager"], []
        )
        cls.sv_clerk = cls._create_sv_user(
            "fb_sv_clerk", "Stored Value Clerk", ["stored_value_crm.group_stored_value_user"], []
        )
        # Odoo's own refusals (access rights, record rules) speak the user's language, ours the request's.
        (cls.feedback_user | cls.feedback_manager | cls.second_manager | cls.cashier | cls.sv_clerk).lang = "zh_CN"
        cls.portal_user.lang = "zh_CN"
        cls.company.write({"feedback_compensation_ceiling": 100.0, "feedback_compensation_points_ceiling": 1000.0})
        cls.card = cls._create_card(state="active")
        cls.second_card = cls._create_card(state="active")
        cls.stranger_card = cls._create_card(partner=cls.other_holder, state="active")
        Program = cls.env["loyalty.program"]
        program = Program.create({"name": "Members' points", "program_type": "loyalty", "company_id": cls.company.id})
        other_program = Program.create({"name": "Club", "program_type": "loyalty", "company_id": cls.company.id})
        Card = cls.env["loyalty.card"]
        cls.loyalty_card = Card.create({"program_id": program.id, "partner_id": cls.holder.id, "points": 40})
        cls.second_loyalty_card = Card.create({"program_id": other_program.id, "partner_id": cls.holder.id})
        cls.stranger_loyalty_card = Card.create({"program_id": program.id, "partner_id": cls.other_holder.id})
        cls.company_b = cls.setup_other_company(name="Feedback Shop Beijing")["company"]
        cls.company_b._stored_value_setup_accounting()
        Case = cls.env["customer.feedback.case"]
        cls.case_b = Case.with_company(cls.company_b).create(
            {"name": "Beijing complaint", "partner_id": cls.holder.id, "company_id": cls.company_b.id}
        )
        cls.card_b = cls._create_card(
            state="active", company_id=cls.company_b.id, currency_id=cls.company_b.currency_id.id
        )
        cls.case = Case.create({"name": "Top-up bonus missing", "partner_id": cls.holder.id})

    def as_user(self, user, records):
        """``records`` as ``user`` sees them, in Chinese."""
        return records.with_user(user).with_context(lang="zh_CN")

    def books(self):
        """What holds value, read from the database: cards, ledger, points, batches, history, cases."""
        queries = (
            "SELECT id, principal_balance, bonus_balance, state FROM stored_value_card ORDER BY id",
            "SELECT count(*) FROM stored_value_ledger",
            "SELECT id, points FROM loyalty_card ORDER BY id",
            "SELECT count(*), COALESCE(SUM(remaining), 0) FROM loyalty_point_batch",
            "SELECT count(*) FROM loyalty_history",
            """SELECT id, company_id, state, compensation_state, compensation_date, compensation_ledger_id,
                      compensation_history_id, compensation_requested_by_id, compensation_requested_date,
                      compensation_approved_by_id, compensation_approved_date, compensation_type,
                      compensation_amount, compensation_points, compensation_card_id,
                      compensation_loyalty_card_id, compensation_reason
                 FROM customer_feedback_case ORDER BY id""",
            "SELECT id, state FROM customer_feedback_invitation ORDER BY id",
        )
        result = []
        for query in queries:
            self.env.cr.execute(SQL(query))
            result.append(self.env.cr.fetchall())
        return result

    def assertBooksAgree(self):
        self.assertEqual(self.env["stored.value.card"]._ledger_discrepancies(), {})
        self.assertLedgerAgrees()

    def assertHostileRefused(self, call, exception=UserError):
        """``call`` raises ``exception`` with a message in Chinese, and had written nothing when it did."""
        self.env.flush_all()
        self.env.invalidate_all()  # as a new request: nothing read before by another user
        before = self.books()
        with closing(self.env.cr.savepoint()), mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
            with self.assertRaises(exception) as raised:
                call()
            self.env.invalidate_all(flush=False)
            self.assertEqual(self.books(), before, "the refused call wrote nothing")
        self.env.invalidate_all(flush=False)
        message = str(raised.exception)
        self.assertRegex(message, CJK, f"the refusal is translated: {message}")
        self.assertBooksAgree()
        return message

    def set_terms(self, case, user=None, **terms):
        self.as_user(user or self.feedback_manager, case).write(terms)

    def wallet_terms(self, amount, card=None, reason=False):
        return {
            "compensation_type": "wallet",
            "compensation_card_id": (card or self.card).id,
            "compensation_amount": amount,
            "compensation_reason": reason,
        }

    def points_terms(self, points, card=None, reason=False):
        return {
            "compensation_type": "points",
            "compensation_loyalty_card_id": (card or self.loyalty_card).id,
            "compensation_points": points,
            "compensation_reason": reason,
        }


@tagged("post_install", "-at_install")
class TestInsiderFeedback(InsiderFeedbackCommon):
    """Every role tries what the web client or the POS could send with other values: nothing moves value."""

    def protected_values(self):
        entry = self.top_up(self.second_card, 10)
        history = self.env["loyalty.history"].create(
            {"card_id": self.loyalty_card.id, "issued": 1, "description": "Welcome"}
        )
        now = fields.Datetime.now()
        return {
            "compensation_state": "granted",
            "compensation_date": now,
            "compensation_ledger_id": entry.id,
            "compensation_history_id": history.id,
            "compensation_requested_by_id": self.feedback_manager.id,
            "compensation_requested_date": now,
            "compensation_approved_by_id": self.second_manager.id,
            "compensation_approved_date": now,
        }

    def test_every_public_method_is_tried_here(self):
        found = set()
        for name in self.env.registry:
            model = self.env[name]
            for cls in type(model).__mro__:
                if not cls.__module__.startswith("odoo.addons.customer_feedback."):
                    continue
                for attribute, value in vars(cls).items():
                    if attribute.startswith("_") or not callable(value):
                        continue
                    try:
                        get_public_method(model, attribute)
                    except AccessError:
                        continue  # @api.private: not reachable over RPC
                    found.add((name, attribute))
        self.assertEqual(found, HOSTILE_COVERAGE)

    def test_nobody_writes_the_compensation_trail(self):
        values = self.protected_values()
        Case = self.env["customer.feedback.case"]
        for user in (self.feedback_user, self.feedback_manager, self.second_manager):
            for field_name, value in values.items():
                with self.subTest(user=user.login, field=field_name):
                    self.assertHostileRefused(
                        lambda f=field_name, v=value, u=user: self.as_user(u, self.case).write({f: v}), AccessError
                    )
                    self.assertHostileRefused(
                        lambda f=field_name, v=value, u=user: self.as_user(u, Case).create(
                            {"name": "Forged", "partner_id": self.holder.id, f: v}
                        ),
                        AccessError,
                    )
        # Not even the superuser's code: only the compensation actions open the door.
        self.assertHostileRefused(lambda: self.case.sudo().with_context(lang="zh_CN").write(values), AccessError)
        for user in (self.cashier, self.sv_clerk):
            with self.subTest(user=user.login):
                self.assertHostileRefused(lambda u=user: self.as_user(u, self.case).write(values), AccessError)
                self.assertHostileRefused(
                    lambda u=user: self.as_user(u, Case).create({"name": "x", "partner_id": self.holder.id}),
                    AccessError,
                )

    def test_only_feedback_managers_set_the_compensation_terms(self):
        Case = self.env["customer.feedback.case"]
        for terms in (self.wallet_terms(20), self.points_terms(20)):
            with self.subTest(terms=terms["compensation_type"]):
                self.assertHostileRefused(
                    lambda t=terms: self.set_terms(self.case, self.feedback_user, **t), AccessError
                )
                self.assertHostileRefused(
                    lambda t=terms: self.as_user(self.feedback_user, Case).create(
                        {"name": "x", "partner_id": self.holder.id, **t}
                    ),
                    AccessError,
                )
        # A feedback user still opens cases as the web client sends them (empty compensation included).
        case = self.as_user(self.feedback_user, Case).create(
            {"name": "Rude staff", "partner_id": self.holder.id, "compensation_type": "none", "compensation_amount": 0}
        )
        self.assertEqual(case.compensation_state, "none")

    def test_hostile_figures_are_refused(self):
        for amount in HOSTILE_AMOUNTS:
            with self.subTest(amount=amount):
                self.assertHostileRefused(
                    lambda a=amount: self.set_terms(self.case, **self.wallet_terms(a)), ValidationError
                )
        for points in HOSTILE_POINTS:
            with self.subTest(points=points):
                self.assertHostileRefused(
                    lambda p=points: self.set_terms(self.case, **self.points_terms(p)), ValidationError
                )
        Case = self.env["customer.feedback.case"]
        self.assertHostileRefused(
            lambda: self.as_user(self.feedback_manager, Case).create(
                {"name": "x", "partner_id": self.holder.id, **self.wallet_terms(float("nan"))}
            ),
            ValidationError,
        )
        # Zero is a figure the form may hold, but not one to grant.
        self.set_terms(self.case, **self.wallet_terms(0))
        self.assertHostileRefused(lambda: self.as_user(self.feedback_manager, self.case).action_grant_compensation())

    def test_compensation_actions_refused_to_other_roles(self):
        self.set_terms(self.case, **self.wallet_terms(20))
        for user in (self.feedback_user, self.cashier, self.sv_clerk, self.portal_user):
            for action in ("action_grant_compensation", "action_approve_compensation", "action_refuse_compensation"):
                with self.subTest(user=user.login, action=action):
                    self.assertHostileRefused(lambda u=user, a=action: getattr(self.as_user(u, self.case), a)())
        for action in ("action_start", "action_resolve", "action_close", "action_reopen"):
            with self.subTest(action=action):
                self.assertHostileRefused(
                    lambda a=action: getattr(self.as_user(self.cashier, self.case), a)(), AccessError
                )
        self.assertHostileRefused(lambda: self.as_user(self.feedback_user, self.case).action_close())
        self.assertHostileRefused(lambda: self.as_user(self.feedback_user, self.case).action_resolve())  # no note

    def test_other_companies_cases_and_cards_are_out_of_reach(self):
        for action in (
            "action_grant_compensation",
            "action_approve_compensation",
            "action_refuse_compensation",
            "action_start",
            "action_reopen",
        ):
            with self.subTest(action=action):
                self.assertHostileRefused(lambda a=action: getattr(self.as_user(self.second_manager, self.case_b), a)())
        self.assertHostileRefused(
            lambda: self.as_user(self.feedback_manager, self.case_b).write({"compensation_reason": "x"}), AccessError
        )
        self.assertHostileRefused(lambda: self.set_terms(self.case, **self.wallet_terms(20, card=self.card_b)))

    def test_another_customers_card_or_another_currency_gets_nothing(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        euro_card = self._create_card(state="active", currency_id=eur.id)
        Manager = self.as_user(self.feedback_manager, self.case)
        for terms, message in (
            (self.wallet_terms(20, card=self.stranger_card), "Li Na"),
            (self.points_terms(20, card=self.stranger_loyalty_card), "Li Na"),
            (self.wallet_terms(20, card=euro_card), "EUR"),
        ):
            with self.subTest(terms=terms):
                self.set_terms(self.case, **terms)
                self.assertIn(message, self.assertHostileRefused(Manager.action_grant_compensation))

    def test_pos_complaints_take_only_what_they_name(self):
        Case = self.env["customer.feedback.case"]
        hidden = self.env["res.partner"].create({"name": "Beijing only", "company_id": self.company_b.id})
        Cashier = self.as_user(self.cashier, Case)
        for values in (
            ["not", "a", "dict"],
            "partner_id=1",
            {"partner_id": str(self.holder.id), "name": "x"},
            {"partner_id": hidden.id, "name": "x"},
            {"partner_id": self.holder.id, "name": 42},
            {"partner_id": self.holder.id, "name": "x", "description": {"html": "<script/>"}},
            {"partner_id": self.holder.id, "name": "x", "severity": ["urgent"]},
            {"partner_id": self.holder.id, "name": "x", "pos_order_id": 10**9},
        ):
            with self.subTest(values=values):
                self.assertHostileRefused(lambda v=values: Cashier.create_from_pos(v))
        self.assertHostileRefused(
            lambda: self.as_user(self.feedback_user, Case).create_from_pos({"partner_id": self.holder.id, "name": "x"})
        )
        result = Cashier.create_from_pos(
            {
                "partner_id": self.holder.id,
                "name": "Wrong change",
                "company_id": self.company_b.id,
                "compensation_type": "wallet",
                "compensation_card_id": self.card.id,
                "compensation_amount": 5000,
                "compensation_date": fields.Datetime.now(),
                "state": "closed",
            }
        )
        case = Case.browse(result["id"])
        self.assertEqual(
            (case.company_id, case.state, case.compensation_type, case.compensation_state),
            (self.company, "new", "none", "none"),
        )
        self.assertBooksAgree()

    def test_invitations_rules_and_partners_actions(self):
        Invitation = self.env["customer.feedback.invitation"].sudo()
        invitation_b = Invitation.create(
            {"partner_id": self.holder.id, "company_id": self.company_b.id, "survey_id": self.nps_survey.id}
        )
        answered = Invitation.create(
            {"partner_id": self.holder.id, "company_id": self.company.id, "survey_id": self.nps_survey.id}
        )
        answered._mark_answered()
        for action in ("action_send_now", "action_cancel"):
            with self.subTest(action=action):
                self.assertHostileRefused(lambda a=action: getattr(self.as_user(self.feedback_user, invitation_b), a)())
                self.assertHostileRefused(
                    lambda a=action: getattr(self.as_user(self.cashier, answered), a)(), AccessError
                )
                self.assertHostileRefused(lambda a=action: getattr(self.as_user(self.feedback_user, answered), a)())
        rule_b = self._create_rule(company_id=self.company_b.id)
        before = self.books()
        # Both only open a list, whose records the user's own rights then filter.
        for user in (self.feedback_user, self.cashier):
            action = self.as_user(user, rule_b).action_view_invitations()
            self.assertEqual(action["res_model"], "customer.feedback.invitation")
            action = self.as_user(user, self.other_holder).action_view_feedback_cases()
            self.assertEqual(action["res_model"], "customer.feedback.case")
        self.assertEqual(self.books(), before)
        self.assertHostileRefused(
            lambda: self.as_user(self.cashier, self.env["customer.feedback.case"]).search([]), AccessError
        )
        # Rules are the feedback managers' (of their own company): nobody else makes, changes or removes one.
        Rule = self.env["customer.feedback.invitation.rule"]
        for user in (self.feedback_user, self.cashier):
            with self.subTest(user=user.login):
                self.assertHostileRefused(
                    lambda user=user: self.as_user(user, Rule).create(
                        {"name": "Every order", "survey_id": self.nps_survey.id, "channel": "qr"}
                    ),
                    AccessError,
                )
                self.assertHostileRefused(
                    lambda user=user: self.as_user(user, rule_b).write({"every_nth": 1}), AccessError
                )
                self.assertHostileRefused(lambda user=user: self.as_user(user, rule_b).unlink(), AccessError)
        self.assertHostileRefused(
            lambda: self.as_user(self.feedback_manager, rule_b).write({"channel": "email"}), AccessError
        )


@tagged("post_install", "-at_install")
class TestCompensationApproval(InsiderFeedbackCommon):
    """Within the ceiling a manager grants alone; above it one asks, another approves, and only then it is booked."""

    def test_within_the_ceiling_a_manager_grants_alone(self):
        self.set_terms(self.case, **self.wallet_terms(100))  # the ceiling itself needs nobody else
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        self.assertEqual(
            (self.case.compensation_state, self.case.compensation_approved_by_id, self.card.bonus_balance),
            ("granted", self.env["res.users"], 100),
        )
        self.assertIn("Service Manager", self.case.message_ids[:1].body)
        self.assertBooksAgree()

    def test_above_the_ceiling_a_second_manager_approves(self):
        Asker = self.as_user(self.feedback_manager, self.case)
        self.set_terms(self.case, **self.wallet_terms(150))
        self.assertTrue(self.case.compensation_above_ceiling)
        self.assertIn(self.case.display_name, self.assertHostileRefused(Asker.action_grant_compensation), "say why")
        self.set_terms(self.case, compensation_reason="Third missed booking this month")
        Asker.action_grant_compensation()
        self.assertEqual(
            (self.case.compensation_state, self.case.compensation_requested_by_id, self.card.bonus_balance),
            ("to_approve", self.feedback_manager, 0),
        )
        self.assertFalse(self.card.ledger_ids, "a request books nothing")
        request = self.case.message_ids[:1].body
        self.assertIn("Service Manager", request)
        self.assertIn("Third missed booking this month", request)
        # What was asked for is what gets approved.
        for user in (self.feedback_manager, self.second_manager):
            self.assertHostileRefused(
                lambda u=user: self.set_terms(self.case, u, compensation_amount=5000), AccessError
            )
        self.assertHostileRefused(Asker.action_grant_compensation)
        self.assertHostileRefused(self.as_user(self.feedback_user, self.case).action_approve_compensation)
        self.as_user(self.second_manager, self.case).action_approve_compensation()
        self.assertEqual(
            (self.case.compensation_state, self.case.compensation_approved_by_id, self.card.bonus_balance),
            ("granted", self.second_manager, 150),
        )
        self.assertTrue(self.case.compensation_approved_date and self.case.compensation_date)
        granted = self.case.message_ids[:1].body
        for words in ("Service Manager", "Second Service Manager", "Third missed booking this month", "150"):
            self.assertIn(words, granted)
        self.as_user(self.second_manager, self.case).action_approve_compensation()
        Asker.action_grant_compensation()
        self.assertEqual((len(self.card.ledger_ids), self.card.bonus_balance), (1, 150), "booked once")
        self.assertBooksAgree()

    def test_the_manager_who_asked_cannot_approve(self):
        self.set_terms(self.case, **self.points_terms(5000, reason="Lost the member's gift"))
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        self.assertEqual((self.case.compensation_state, self.loyalty_card.points), ("to_approve", 40))
        message = self.assertHostileRefused(self.as_user(self.feedback_manager, self.case).action_approve_compensation)
        self.assertIn(self.case.display_name, message)
        self.as_user(self.second_manager, self.case).action_approve_compensation()
        self.assertEqual((self.case.compensation_state, self.loyalty_card.points), ("granted", 5040))

    def test_a_refused_request_books_nothing_and_can_be_asked_again(self):
        self.set_terms(self.case, **self.wallet_terms(500, reason="Ruined coat"))
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        self.as_user(self.second_manager, self.case).action_refuse_compensation()
        self.assertEqual((self.case.compensation_state, self.card.bonus_balance), ("none", 0))
        self.assertIn("Second Service Manager", self.case.message_ids[:1].body)
        self.assertHostileRefused(self.as_user(self.second_manager, self.case).action_approve_compensation)
        self.set_terms(self.case, compensation_amount=80)
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        self.assertEqual((self.case.compensation_state, self.card.bonus_balance), ("granted", 80))

    def test_a_granted_compensation_is_never_granted_twice_whatever_is_written(self):
        self.set_terms(self.case, **self.wallet_terms(20))
        Manager = self.as_user(self.feedback_manager, self.case)
        Manager.action_grant_compensation()
        self.assertEqual(self.card.bonus_balance, 20)
        for user in (self.feedback_user, self.feedback_manager, self.second_manager):
            for values in (
                {"compensation_date": False},
                {"compensation_state": "none"},
                {"compensation_ledger_id": False},
                {"compensation_type": "points", **self.points_terms(20)},
                {"compensation_card_id": self.second_card.id},
                {"compensation_amount": 50},
            ):
                with self.subTest(user=user.login, values=values):
                    self.assertHostileRefused(lambda u=user, v=values: self.as_user(u, self.case).write(v), AccessError)
        Manager.action_grant_compensation()
        self.as_user(self.second_manager, self.case).action_approve_compensation()
        self.assertEqual(self.card.bonus_balance, 20)
        # Even a case whose marks were wiped behind the ORM's back, moved to another wallet or to points,
        # finds the first booking in the books and books nothing more.
        for terms in (self.wallet_terms(20, card=self.second_card), self.points_terms(20)):
            with self.subTest(terms=terms["compensation_type"]):
                self.env.flush_all()
                self.env.cr.execute(
                    SQL(
                        """UPDATE customer_feedback_case
                              SET compensation_date = NULL, compensation_state = 'none', compensation_ledger_id = NULL,
                                  compensation_type = %(type)s, compensation_card_id = %(card)s,
                                  compensation_loyalty_card_id = %(loyalty_card)s, compensation_points = 20
                            WHERE id = %(id)s""",
                        type=terms["compensation_type"],
                        card=self.second_card.id,
                        loyalty_card=self.loyalty_card.id,
                        id=self.case.id,
                    )
                )
                self.env.invalidate_all()
                message = self.assertHostileRefused(Manager.action_grant_compensation)
                self.assertIn(self.card.ledger_ids.display_name, message, "names the first booking")
        self.assertEqual(
            (self.card.bonus_balance, self.second_card.bonus_balance, self.loyalty_card.points), (20, 0, 40)
        )
        self.assertBooksAgree()

    def test_granted_points_go_through_the_keyed_booking_once(self):
        self.set_terms(self.case, **self.points_terms(200))
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        key = f"customer.feedback.case/{self.case.id}/compensation/card/{self.loyalty_card.id}"
        batches = self.env["loyalty.point.batch"].search([("source_key", "=", key)])
        self.assertEqual((len(batches), batches.points, self.loyalty_card.points), (1, 200, 240))
        self.assertEqual(self.case.compensation_history_id.issued, 200)

    def test_the_ceilings_are_company_settings(self):
        settings = self.env["res.config.settings"].create(
            {"feedback_compensation_ceiling": 30, "feedback_compensation_points_ceiling": 10}
        )
        settings.execute()
        self.assertEqual(
            (self.company.feedback_compensation_ceiling, self.company.feedback_compensation_points_ceiling), (30, 10)
        )
        self.set_terms(self.case, **self.wallet_terms(50))
        self.assertTrue(self.case.compensation_above_ceiling)
        for field_name, ceiling in (
            ("feedback_compensation_ceiling", -1),
            ("feedback_compensation_points_ceiling", -1),
            ("feedback_compensation_points_ceiling", float("nan")),
        ):
            with (
                self.subTest(field=field_name, ceiling=ceiling),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                self.company[field_name] = ceiling


@tagged("post_install", "-at_install")
class TestInsiderFeedbackRpc(InsiderFeedbackCommon, HttpCase):
    """The same refusals through the JSON-RPC endpoint the web client uses."""

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_the_invitation_queue_and_rules_are_out_of_reach_over_rpc(self):
        self._create_rule(channel="email")
        order, _result = self.sell_at_pos(self.holder)
        queued = self.env["customer.feedback.pending.order"].search([("pos_order_id", "=", order.id)])
        self.assertTrue(queued)
        rule_b = self._create_rule(company_id=self.company_b.id)
        for user in (self.cashier, self.feedback_user):
            user.password = f"{user.login}-password"
        self.env.flush_all()
        for user in (self.cashier, self.feedback_user):
            self.authenticate(user.login, f"{user.login}-password")
            refused = (
                ("customer.feedback.pending.order", "search_read", [[], ["pos_order_id"]]),
                ("customer.feedback.pending.order", "create", [[{"pos_order_id": order.id}]]),
                ("customer.feedback.pending.order", "unlink", [queued.ids]),
                ("customer.feedback.invitation.rule", "write", [rule_b.ids, {"channel": "email"}]),
                ("customer.feedback.invitation.rule", "create", [[{"name": "Every order", "channel": "qr"}]]),
            )
            for model, method, args in refused:
                with (
                    self.subTest(user=user.login, model=model, method=method),
                    self.assertRaises(JsonRpcException) as raised,
                    mute_logger("odoo.http"),
                ):
                    self.call_kw(model, method, args)
                self.assertEqual(raised.exception.args[0], "odoo.exceptions.AccessError")
            with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
                self.call_kw("customer.feedback.pending.order", "_decide_next", [])
        self.assertTrue(queued.exists(), "the order still awaits its decision")
        self.assertEqual(rule_b.channel, "qr")

    def test_a_feedback_user_cannot_undo_a_granted_compensation_over_rpc(self):
        self.set_terms(self.case, **self.wallet_terms(20))
        self.as_user(self.feedback_manager, self.case).action_grant_compensation()
        for user in (self.feedback_user, self.feedback_manager):
            user.password = f"{user.login}-password"
        self.env.flush_all()
        before = self.books()
        self.authenticate(self.feedback_user.login, f"{self.feedback_user.login}-password")
        for values in ({"compensation_date": False}, {"compensation_state": "none"}, {"compensation_amount": 99}):
            with self.subTest(values=values), self.assertRaises(JsonRpcException) as raised, mute_logger("odoo.http"):
                self.call_kw("customer.feedback.case", "write", [[self.case.id], values])
            self.assertEqual(raised.exception.args[0], "odoo.exceptions.AccessError")
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_kw("customer.feedback.case", "action_grant_compensation", [[self.case.id]])
        self.authenticate(self.feedback_manager.login, f"{self.feedback_manager.login}-password")
        self.call_kw("customer.feedback.case", "action_grant_compensation", [[self.case.id]])
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_kw(
                "customer.feedback.case",
                "create",
                [[{"name": "Forged", "partner_id": self.holder.id, "compensation_date": "2026-01-01 00:00:00"}]],
            )
        self.env.invalidate_all()
        self.assertEqual(self.books(), before)
        self.assertEqual(self.card.bonus_balance, 20)
        self.assertBooksAgree()
