from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestComplaintCases(CustomerFeedbackCommon):
    """投诉: cases opened by detractors, by hand and at the point of sale; deadlines, reminders, escalation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["customer.feedback.case"]
        cls.salesperson = cls._create_sv_user("fb_sales", "Salesperson Chen", [], [])
        cls.holder.user_id = cls.salesperson

    def open_case(self, user=None, **values):
        Case = self.Case.with_user(user) if user else self.Case
        return Case.create({"name": "Waited 40 minutes", "partner_id": self.holder.id, **values})

    def test_a_detractor_answer_opens_a_case_for_their_salesperson(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            answer = self.answer(self.holder, nps=2, reason="The cashier was rude.")
        case = answer.feedback_case_ids
        self.assertEqual(len(case), 1)
        self.assertEqual(
            (case.origin, case.severity, case.user_id, case.partner_id),
            ("survey", "high", self.salesperson, self.holder),
        )
        self.assertEqual(case.category_id, self.env.ref("customer_feedback.customer_feedback_category_detractor"))
        self.assertIn("The cashier was rude.", case.description)
        self.assertEqual(case.deadline, case.opened_date + timedelta(hours=24))
        self.assertTrue(case.reference.startswith("CMP/"))
        self.assertEqual(case.activity_ids.user_id, self.salesperson)

    def test_promoters_and_passives_open_no_case(self):
        self.assertFalse(self.answer(self.holder, nps=9).feedback_case_ids)
        self.assertFalse(self.answer(self.holder, nps=7).feedback_case_ids)
        self.assertEqual(self.answer(self.holder, nps=5).feedback_case_ids.severity, "normal")

    def test_back_office_case_gets_its_deadline_from_the_service_level(self):
        case = self.open_case(user=self.feedback_user, severity="urgent")
        self.assertEqual(case.user_id, self.feedback_user)
        self.assertEqual(case.deadline, case.opened_date + timedelta(hours=4))
        case.with_user(self.feedback_user).severity = "low"
        self.assertEqual(case.deadline, case.opened_date + timedelta(hours=168))

    def test_resolving_needs_a_note_and_sends_a_short_resurvey(self):
        case = self.open_case(user=self.feedback_user)
        case.with_user(self.feedback_user).action_start()
        with self.assertRaisesRegex(UserError, "write the resolution note"), self.env.cr.savepoint():
            case.with_user(self.feedback_user).action_resolve()
        self.assertEqual(case.state, "in_progress")
        self.assertFalse(self.env["customer.feedback.invitation"].search([("case_id", "=", case.id)]))
        case.resolution_note = "<p>Apologised and offered a free treatment.</p>"
        case.with_user(self.feedback_user).action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.resolved_date)
        invitation = case.resurvey_invitation_id
        self.assertEqual((invitation.state, invitation.channel, invitation.partner_id), ("sent", "email", self.holder))
        self.assertEqual(invitation.survey_id, self.env.ref("customer_feedback.survey_complaint_followup"))
        self.assertEqual(invitation.user_input_id.feedback_followed_case_id, case)
        mail = self.env["mail.mail"].search([("recipient_ids", "in", self.holder.ids)], order="id desc", limit=1)
        self.assertIn(invitation.user_input_id.access_token, mail.body_html)
        case.with_user(self.feedback_user).action_close()
        self.assertEqual(case.state, "closed")
        with self.assertRaisesRegex(UserError, "cannot be resolved"), self.env.cr.savepoint():
            case.action_resolve()
        case.action_reopen()
        self.assertEqual((case.state, case.resolved_date), ("in_progress", False))

    def test_reminder_before_the_deadline_then_escalation(self):
        start = fields.Datetime.now().replace(microsecond=0)
        with freeze_time(start):
            case = self.open_case(severity="normal")  # 72 hours, reminded 24 hours before
        Activity = self.env["mail.activity"]
        with freeze_time(start + timedelta(hours=40)), self.cron_commits_suspended():
            self.Case._cron_check_deadlines()
        self.assertFalse(case.reminded)
        with freeze_time(start + timedelta(hours=50)), self.cron_commits_suspended():
            self.Case._cron_check_deadlines()
            self.assertTrue(case.reminded)
            self.assertFalse(case.is_late)
        self.assertTrue(Activity.search([("res_id", "=", case.id), ("summary", "ilike", "due soon")]))
        case.sla_id.escalation_user_id = self.feedback_manager
        with freeze_time(start + timedelta(hours=73)), self.cron_commits_suspended():
            case.invalidate_recordset(["is_late"])
            self.assertTrue(case.is_late)
            self.assertIn(case, self.Case.search([("is_late", "=", True)]))
            self.Case._cron_check_deadlines()
        self.assertTrue(case.escalated)
        self.assertEqual(case.priority, "1")
        late = Activity.search([("res_id", "=", case.id), ("summary", "ilike", "Late complaint")])
        self.assertEqual(late.user_id, self.feedback_manager)
        self.assertIn("escalated", case.message_ids[:1].body)

    def test_cashier_opens_a_complaint_from_the_point_of_sale(self):
        order, _synced = self.sell_at_pos(self.holder)
        result = self.Case.with_user(self.cashier).create_from_pos(
            {"partner_id": self.holder.id, "name": "Wrong change given", "pos_order_id": order.id, "severity": "high"}
        )
        case = self.Case.browse(result["id"])
        self.assertEqual((case.origin, case.pos_order_id, case.pos_config_id), ("pos", order, self.pos_config))
        self.assertEqual(result["reference"], case.reference)
        self.assertEqual(case.user_id, self.salesperson)
        for values, message in (
            ({"partner_id": self.holder.id, "name": "  "}, "Say in a few words"),
            ({"name": "No customer"}, "Choose the customer"),
            ({"partner_id": self.holder.id, "name": "x", "severity": "apocalyptic"}, "Unknown severity"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, message):
                self.Case.with_user(self.cashier).create_from_pos(values)
        with self.assertRaisesRegex(UserError, "Only point of sale users"):
            self.Case.with_user(self.feedback_user).create_from_pos({"partner_id": self.holder.id, "name": "x"})
        self.assertEqual(self.Case.search_count([("partner_id", "=", self.holder.id)]), 1)

    def test_service_levels_refuse_bad_hours(self):
        sla = self.env["customer.feedback.sla"].search([("company_id", "=", self.company.id), ("severity", "=", "low")])
        with self.assertRaisesRegex(ValidationError, "at least one hour"), self.env.cr.savepoint():
            sla.resolution_hours = 0
        with self.assertRaisesRegex(ValidationError, "reminder comes between"), self.env.cr.savepoint():
            sla.reminder_hours = 200
        self.assertEqual((sla.resolution_hours, sla.reminder_hours), (168, 48))

    def test_detractors_and_open_cases_are_followed_up_through_plans(self):
        Plan = self.env["stored.value.followup.plan"]
        self.top_up(self._create_card(state="active"), 100)
        self.top_up(self._create_card(partner=self.other_holder, state="active"), 100)
        detractor_plan = Plan.create(
            {"name": "Detractors", "company_id": self.company.id, "feedback_criterion": "detractor", "interval_days": 3}
        )
        self.answer(self.other_holder, nps=9)
        self.answer(self.holder, nps=1)  # opens a case, and the plan calls at once
        activities = self.env["mail.activity"].search([("stored_value_followup_plan_id", "=", detractor_plan.id)])
        self.assertEqual(activities.mapped("res_id"), self.holder.ids)
        case_plan = Plan.create(
            {
                "name": "Open complaints",
                "company_id": self.company.id,
                "feedback_criterion": "open_case",
                "interval_days": 2,
            }
        )
        self.open_case(partner_id=self.other_holder.id)
        self.assertIn(self.other_holder, case_plan._followups_due()[case_plan])

    def test_detractors_without_a_card_are_followed_up(self):
        walk_in = self.env["res.partner"].create(
            {"name": "Walk-in Customer", "user_id": self.salesperson.id, "phone": "+86 137 0013 7000"}
        )
        walk_in._stored_value_set_consent({"phone": True}, "pos")
        plan = self.env["stored.value.followup.plan"].create(
            {
                "name": "Every detractor",
                "company_id": self.company.id,
                "feedback_criterion": "detractor",
                "card_holders_only": False,
                "interval_days": 3,
            }
        )
        self.answer(walk_in, nps=4)
        activity = self.env["mail.activity"].search(
            [
                ("stored_value_followup_plan_id", "=", plan.id),
                ("res_model", "=", "res.partner"),
                ("res_id", "=", walk_in.id),
            ]
        )
        self.assertEqual(len(activity), 1)
