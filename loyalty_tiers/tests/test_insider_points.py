import json
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import LoyaltyTiersPosCommon

# Odoo's assertRaises takes one class; an AccessError is a UserError.
REFUSED = UserError


@tagged("post_install", "-at_install")
class TestInsiderPoints(LoyaltyTiersPosCommon, HttpCase):
    """Each real role, holding only its group and Internal User, tries to mint or move points and tiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier_only_user = cls._create_sv_user(
            "tier_only_user", "Tier User", ["loyalty_tiers.group_loyalty_tier_user"], []
        )
        cls.tier_only_manager = cls._create_sv_user(
            "tier_only_manager", "Tier Manager", ["loyalty_tiers.group_loyalty_tier_manager"], []
        )
        cls.sv_only_user = cls._create_sv_user(
            "sv_only_user", "Stored Value User", ["stored_value_crm.group_stored_value_user"], []
        )
        cls.pos_cashier.password = "pos_cashier_pw"
        cls.roles = {
            "POS cashier": cls.pos_cashier,
            "loyalty tier user": cls.tier_only_user,
            "loyalty tier manager": cls.tier_only_manager,
            "stored value user": cls.sv_only_user,
        }
        cls.member = cls._member(points=200)
        cls.member._update_tiers()
        cls.other_program = cls.env["loyalty.program"].create(
            {"name": "Other Points", "program_type": "loyalty", "company_id": cls.company.id}
        )

    def card_state(self, card):
        card.invalidate_recordset()
        return (
            card.points,
            card.partner_id,
            card.program_id,
            card.earned_tier_id,
            card.tier_id,
            card.tier_since,
            card.tier_review_date,
            len(card.point_batch_ids),
            len(card.tier_history_ids),
            len(card.history_ids),
        )

    def hostile_card_values(self):
        return {
            "points": 99999.0,
            "partner_id": self.other_holder.id,
            "program_id": self.other_program.id,
            "earned_tier_id": self.gold.id,
            "tier_id": self.gold.id,
            "tier_since": self.today - timedelta(days=400),
            "tier_review_date": self.today + timedelta(days=3650),
            "point_batch_ids": [Command.create({"points": 500, "remaining": 500, "source_key": "x"})],
            "tier_history_ids": [Command.clear()],
        }

    # ------------------------------------------------------------------
    # Cards, batches and tier history: create and write from outside
    # ------------------------------------------------------------------

    def test_no_role_writes_the_value_of_a_card(self):
        before = self.card_state(self.member)
        for role, user in self.roles.items():
            for field, value in self.hostile_card_values().items():
                with self.subTest(role=role, field=field), self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self.member.with_user(user).write({field: value})
        self.assertEqual(self.card_state(self.member), before, "nothing written")
        self.assertPointsAgree(self.member)

    def test_a_pos_cashier_writing_points_or_tier_gets_an_access_error(self):
        # pos_loyalty gives the cashier write access to loyalty.card: the guard, not the ACL, refuses.
        for values in ({"points": 5000}, {"earned_tier_id": self.gold.id}):
            with self.subTest(values=values), self.assertRaises(AccessError) as refusal, self.env.cr.savepoint():
                self.member.with_user(self.pos_cashier).write(values)
            self.assertIn("never directly", str(refusal.exception))
        self.assertEqual(self.member.points, 200)

    def test_no_role_creates_a_card_holding_points_or_a_tier(self):
        for role, user in self.roles.items():
            for field, value in (("points", 100000.0), ("earned_tier_id", self.gold.id), ("tier_id", self.gold.id)):
                with self.subTest(role=role, field=field), self.assertRaises(REFUSED), self.env.cr.savepoint():
                    self.env["loyalty.card"].with_user(user).create(
                        {"program_id": self.program.id, "partner_id": self.other_holder.id, field: value}
                    )
        self.assertFalse(self.env["loyalty.card"].search([("partner_id", "=", self.other_holder.id)]))
        card = (
            self.env["loyalty.card"]
            .with_user(self.tier_only_manager)
            .create({"program_id": self.program.id, "partner_id": self.other_holder.id})
        )
        self.assertEqual(card.points, 0, "a manager issues an empty card")

    def test_batches_and_tier_history_have_no_door_from_outside(self):
        batch = self.member.point_batch_ids
        history = self.member.tier_history_ids
        self.assertTrue(batch and history)
        for role, user in self.roles.items():
            with self.subTest(role=role):
                for model, record, values in (
                    ("loyalty.point.batch", batch, {"remaining": 5000.0, "points": 5000.0}),
                    ("loyalty.tier.history", history, {"new_tier_id": self.gold.id, "reason": "forged"}),
                ):
                    with self.assertRaises(REFUSED), self.env.cr.savepoint():
                        self.env[model].with_user(user).create({"card_id": self.member.id, **values})
                    with self.assertRaises(REFUSED), self.env.cr.savepoint():
                        record.with_user(user).write(values)
                    with self.assertRaises(REFUSED), self.env.cr.savepoint():
                        record.with_user(user).unlink()
        # Not even sudo code from elsewhere: only the posting code opens the door.
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            batch.sudo().write({"remaining": 5000.0})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            history.sudo().write({"reason": "forged"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["loyalty.point.batch"].sudo().create(
                {"card_id": self.member.id, "points": 1, "remaining": 1, "earn_date": self.today, "source_key": "x"}
            )
        self.assertEqual((batch.remaining, history.reason), (200, history.reason))
        self.assertPointsAgree(self.member)

    def test_no_role_moves_a_nightly_job_past_a_member(self):
        """A nightly job's progress decides whom tonight's run still does: moved past a member, it would keep
        them out of a downgrade or a segment. Only the crons write it."""
        Progress = self.env["loyalty.night.progress"]
        Progress._record("tier_review", self.today, 0)
        mark = Progress._of("tier_review")
        for role, user in self.roles.items():
            with self.subTest(role=role):
                for attempt in (
                    lambda user=user: Progress.with_user(user).create(
                        {"job": "rfm", "company_id": self.company.id, "run_date": self.today, "last_id": 10**9}
                    ),
                    lambda user=user: mark.with_user(user).write({"last_id": 10**9}),
                    lambda user=user: mark.with_user(user).unlink(),
                ):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        attempt()
        self.authenticate("pos_cashier", "pos_cashier_pw")
        with mute_logger("odoo.http"):
            for method, args in (
                ("create", [{"job": "tier_review", "run_date": str(self.today), "last_id": 10**9}]),
                ("write", [mark.ids, {"last_id": 10**9}]),
                ("_record", ["tier_review", str(self.today), 10**9]),
            ):
                with self.subTest(method=method), self.assertRaises(JsonRpcException) as refusal:
                    self.call_kw("loyalty.night.progress", method, args)
                self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual((Progress.sudo().search([("job", "=", "tier_review")]), mark.last_id), (mark, 0))
        self.assertEqual(
            Progress._reached("tier_review", self.today), 0, "tonight's review still starts at the first card"
        )
        self.assertFalse(Progress._of("rfm", self.company), "nor do the segments")

    def test_writing_an_empty_set_stays_a_no_op(self):
        # Odoo's contact merge writes every model that references a partner.
        for model in ("loyalty.point.batch", "loyalty.tier.history", "loyalty.card"):
            with self.subTest(model=model):
                self.assertTrue(self.env[model].browse().write({"partner_id": self.other_holder.id}))

    def test_only_a_loyalty_manager_corrects_points_with_the_balance_wizard(self):
        # Odoo lets every cashier open this wizard.
        for user in (self.pos_cashier, self.tier_only_user, self.sv_only_user):
            with self.subTest(user=user.login), self.assertRaises(REFUSED), self.env.cr.savepoint():
                wizard = (
                    self.env["loyalty.card.update.balance"]
                    .with_user(user)
                    .create({"card_id": self.member.id, "new_balance": 90000, "description": "forged"})
                )
                wizard.action_update_card_point()
        self.assertEqual(self.member.points, 200)
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(self.tier_only_manager)
            .create({"card_id": self.member.id, "new_balance": 150, "description": "Counted twice at the till"})
        )
        wizard.action_update_card_point()
        self.assertEqual(self.member.points, 150)
        self.assertEqual(self.member.history_ids.filtered(lambda line: line.used == 50).description, wizard.description)
        self.assertPointsAgree(self.member)

    def test_a_tier_override_is_a_managers_and_always_leaves_history(self):
        override = {
            "tier_override_id": self.gold.id,
            "tier_override_end": self.today + timedelta(days=30),
            "tier_override_reason": "Launch partner",
        }
        for user in (self.pos_cashier, self.tier_only_user):
            with self.assertRaisesRegex(UserError, "Only a loyalty manager"), self.env.cr.savepoint():
                self.member.with_user(user).write(override)
        history = self.member.tier_history_ids
        self.member.with_user(self.tier_only_manager).write(override)
        self.member.with_user(self.tier_only_manager).write({"tier_override_reason": "Launch partner, extended"})
        changes = self.member.tier_history_ids - history
        self.assertEqual(len(changes), 2, "the tier and then its reason changed, each in the history")
        self.assertEqual(set(changes.user_id.ids), {self.tier_only_manager.id})

    def test_public_methods_the_addon_adds_write_nothing_for_a_cashier(self):
        before = self.card_state(self.member)
        action = self.regular.with_user(self.pos_cashier).action_view_members()
        self.assertEqual(action["res_model"], "loyalty.card")
        order = self.sync(self.member_order(1), user=self.pos_cashier)
        points = self.member.points
        order.with_user(self.pos_cashier).action_pos_order_paid()
        self.assertEqual(self.member.points, points, "paying a paid order again books nothing")
        sale = self.env["sale.order"].sudo().create({"partner_id": self.holder.id})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            sale.with_user(self.pos_cashier).action_confirm()
        self.assertEqual(self.card_state(self.member)[1:7], before[1:7])

    # ------------------------------------------------------------------
    # Forged POS payloads: sync_from_ui and the second call
    # ------------------------------------------------------------------

    def assertSyncRefused(self, data, pattern):
        orders = self.env["pos.order"].search_count([])
        before = self.card_state(self.member)
        with self.assertRaisesRegex(UserError, pattern), self.env.cr.savepoint():
            self.sync(data, user=self.pos_cashier)
        self.assertEqual(self.env["pos.order"].search_count([]), orders, "the order is not booked on the claim")
        self.assertEqual(self.card_state(self.member), before)

    def test_forged_rewards_in_a_synced_order_are_refused(self):
        self.assertSyncRefused(self.member_order(1, card=self.member, reward_cost=1), "costs 100.0")
        self.assertSyncRefused(
            self.member_order(1, card=self.member, reward_cost=float("nan")),
            "nan as Points Cost, which is not an amount",
        )
        self.assertSyncRefused(self.member_order(1, card=self.member, reward_cost=-500), "for -500")
        stranger = self._member(partner=self.other_holder, points=1000)
        self.assertSyncRefused(self.member_order(1, card=stranger, reward_cost=100), "not the card of Li Na")
        self.assertEqual(stranger.points, 1000)
        anonymous = self.member_order(1, card=self.member, reward_cost=100)
        anonymous["partner_id"] = False
        self.assertSyncRefused(anonymous, "without a customer")
        self.assertPointsAgree()

    def test_a_huge_reward_cost_books_no_more_than_the_card_holds(self):
        order = self.sync(self.member_order(1, card=self.member, reward_cost=1e12), user=self.pos_cashier)
        self.assertEqual(self.member.points, 0.0, "200 + 60 taken, never below zero")
        self.assertTrue(order.stored_value_review, "the rest is flagged for a manager")
        self.assertPointsAgree(self.member)

    def test_forged_claims_in_the_second_call_are_refused(self):
        order = self.sync(self.member_order(1), user=self.pos_cashier)
        self.assertEqual(self.member.points, 260)
        for claim in (5000.0, float("nan"), float("inf"), 1e18):
            with self.subTest(claim=claim), self.assertRaises(UserError), self.env.cr.savepoint():
                self.confirm_claim(order, self.member, claim)
        # Another company's card and programme, through a programme type Odoo books itself.
        other_company = self.env["res.company"].sudo().create({"name": "Other Salon"})
        foreign_program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Foreign Coupons", "program_type": "coupons", "company_id": other_company.id})
        )
        foreign_card = self.env["loyalty.card"].sudo().create({"program_id": foreign_program.id, "points": 10})
        data = {str(foreign_card.id): {"points": 500, "program_id": foreign_program.id, "coupon_id": foreign_card.id}}
        with self.assertRaisesRegex(UserError, "another company"), self.env.cr.savepoint():
            order.with_user(self.pos_cashier).confirm_coupon_programs(data)
        self.assertEqual(foreign_card.points, 10)
        self.assertEqual(self.member.points, 260)
        self.assertEqual(len(self.member.history_ids.filtered(lambda line: line.order_id == order.id)), 1)
        self.assertPointsAgree()

    # ------------------------------------------------------------------
    # Over real HTTP JSON-RPC, as the web client and the POS call the server
    # ------------------------------------------------------------------

    def call_kw(self, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        # As the POS sends it: dates as strings.
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}", json.loads(json.dumps(params, default=str))
        )

    def test_over_json_rpc_the_receipt_reviews_only_the_members_the_cashier_may_read(self):
        self.sync(self.member_order(84), user=self.pos_cashier)  # 5,040 spent: Gold's threshold
        other_company = self.env["res.company"].sudo().create({"name": "Other Salon"})
        stranger = self.env["res.partner"].create({"name": "Zhao Min", "company_id": other_company.id})
        stranger_card = self._member(stranger)
        self.env["loyalty.card"]._mark_tiers_due(stranger, self.company)
        self.assertEqual((self.member | stranger_card).mapped("tier_review_due"), [True, True])
        self.authenticate("pos_cashier", "pos_cashier_pw")
        status_fields = ["loyalty_tier_id", "loyalty_points"]
        with mute_logger("odoo.http"):
            for args in (
                [self.holder.id, status_fields],
                [[str(self.holder.id)], status_fields],
                [[self.holder.id], "loyalty_tier_id"],
            ):
                with self.subTest(args=args), self.assertRaises(JsonRpcException) as refusal:
                    self.call_kw("res.partner", "loyalty_pos_member_status", args)
                self.assertEqual(refusal.exception.args[0], "odoo.exceptions.UserError")
            refused = (
                ("res.partner", "loyalty_pos_member_status", [[stranger.id], status_fields]),
                ("loyalty.card", "write", [[self.member.id], {"tier_review_due": False}]),
                ("loyalty.card", "write", [[stranger_card.id], {"tier_review_due": False}]),
            )
            for model, method, args in refused:
                with self.subTest(model=model, args=args), self.assertRaises(JsonRpcException) as refusal:
                    self.call_kw(model, method, args)
                self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        (self.member | stranger_card).invalidate_recordset()
        self.assertEqual((self.member | stranger_card).mapped("tier_review_due"), [True, True], "nothing reviewed")
        [status] = self.call_kw("res.partner", "loyalty_pos_member_status", [[self.holder.id], status_fields])
        self.assertEqual(status["loyalty_tier_id"], self.gold.id)
        (self.member | stranger_card).invalidate_recordset()
        self.assertEqual((self.member | stranger_card).mapped("tier_review_due"), [False, True])

    def test_over_json_rpc_a_cashier_can_neither_write_points_nor_forge_an_order(self):
        self.authenticate("pos_cashier", "pos_cashier_pw")
        with mute_logger("odoo.http"):
            for values in ({"points": 99999}, {"earned_tier_id": self.gold.id}, {"partner_id": self.other_holder.id}):
                with self.subTest(values=values), self.assertRaises(JsonRpcException) as refusal:
                    self.call_kw("loyalty.card", "write", [[self.member.id], values])
                self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
            batch = self.member.point_batch_ids
            with self.assertRaises(JsonRpcException):
                self.call_kw("loyalty.point.batch", "write", [batch.ids, {"remaining": 99999}])
            forged = self.member_order(1, card=self.member, reward_cost=1)
            with self.assertRaises(JsonRpcException) as refusal:
                self.call_kw("pos.order", "sync_from_ui", [[forged]])
            self.assertEqual(refusal.exception.args[0], "odoo.exceptions.UserError")
        self.assertEqual(self.card_state(self.member)[:4], (200, self.holder, self.program, self.regular))
        result = self.call_kw("pos.order", "sync_from_ui", [[self.member_order(2)]])
        self.assertEqual(len(result["pos.order"]), 1)
        self.member.invalidate_recordset()
        self.assertEqual(self.member.points, 320, "an honest order over HTTP books its 120 points")
        self.assertPointsAgree(self.member)

    def test_over_json_rpc_a_top_up_earns_no_points_whatever_the_terminal_claims(self):
        self.authenticate("pos_cashier", "pos_cashier_pw")
        lines = [{"product": self.haircut, "quantity": 2}, self.top_up_line(500.0)]
        result = self.call_kw("pos.order", "sync_from_ui", [[self.card_order(lines, [(self.cash_method, 620.0)])]])
        [order_id] = [order["id"] for order in result["pos.order"]]
        self.member.invalidate_recordset()
        self.assertEqual(self.member.points, 320, "200 held and 120 for the haircuts; the 500 topped up earn nothing")
        claim = {
            "points": 620,
            "points_earned": 620,
            "points_spent": 0,
            "program_id": self.program.id,
            "coupon_id": self.member.id,
            "barcode": False,
        }
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refusal:
            self.call_kw("pos.order", "confirm_coupon_programs", [[order_id], {str(self.member.id): claim}])
        self.assertEqual(refusal.exception.args[0], "odoo.exceptions.UserError")
        honest = {**claim, "points": 120, "points_earned": 120}
        answer = self.call_kw("pos.order", "confirm_coupon_programs", [[order_id], {str(self.member.id): honest}])
        self.assertEqual(answer["coupon_updates"][0]["points"], 320)
        self.card.invalidate_recordset()
        self.assertEqual(self.card.principal_balance, 500.0, "the top-up is on the card")
        self.assertPointsAgree(self.member)
