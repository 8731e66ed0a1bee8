from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tests import Form, tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestFollowupPlans(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.salesperson = cls._create_sv_user("sv_sales", "Zhao Min", ["stored_value_crm.group_stored_value_user"], [])
        cls.holder.user_id = cls.salesperson
        cls.small_holder = cls.env["res.partner"].create({"name": "Zhou Xun"})
        cls._agree_to_calls(cls.holder | cls.other_holder | cls.small_holder)
        cls.holder_card = cls._create_card()
        cls.other_card = cls._create_card(cls.other_holder)
        small_card = cls._create_card(cls.small_holder)
        for card, amount in ((cls.holder_card, 6000), (cls.other_card, 1500), (small_card, 200)):
            card._top_up(amount, cls.cash_journal, f"followup/{card.id}")
        cls.today = fields.Date.context_today(cls.env["stored.value.followup.plan"])

    @classmethod
    def _agree_to_calls(cls, partners):
        """A call plan calls only the customers who gave a number and agreed to be called."""
        for partner in partners:
            partner.phone = partner.phone or f"+86 138 0000 {partner.id:04d}"
        partners._stored_value_set_consent({"phone": True}, "backoffice")

    def _plan(self, **values):
        return self.env["stored.value.followup.plan"].create(
            {
                "name": "Balance ≥ 1,000, call every 30 days",
                "company_id": self.company.id,
                "activity_type_id": self.call.id,
                **values,
            }
        )

    def run_cron(self):
        with self.cron_commits_suspended():
            self.env["stored.value.followup.plan"]._cron_schedule_followups()

    def followups(self, partner):
        """Every follow-up a plan scheduled for ``partner``, done ones included."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("stored_value_followup_plan_id", "!=", False),
                ]
            )
        )

    def at(self, days):
        """Noon, ``days`` after today: the same date in any time zone of the users."""
        return datetime.combine(self.today + timedelta(days=days), time(12))

    def test_matching_customers_get_one_call_from_their_salesperson(self):
        plan = self._plan(min_balance=1000, interval_days=30, user_id=self.sv_manager.id)
        self.run_cron()
        self.run_cron()
        self.assertRecordValues(
            self.followups(self.holder) | self.followups(self.other_holder),
            [
                {
                    "res_id": partner.id,
                    "activity_type_id": self.call.id,
                    "date_deadline": self.today + timedelta(days=30),
                    "user_id": user.id,
                    "summary": plan.name,
                    "stored_value_followup_plan_id": plan.id,
                    "active": True,
                }
                for partner, user in ((self.holder, self.salesperson), (self.other_holder, self.sv_manager))
            ],
        )
        self.assertFalse(self.followups(self.small_holder), "a balance of 200 is below the plan's 1,000")

    def test_fixed_user_calls_even_customers_with_a_salesperson(self):
        self._plan(min_balance=1000, responsible_type="user", user_id=self.sv_manager.id, summary="Monthly call")
        self.run_cron()
        activity = self.followups(self.holder)
        self.assertEqual((activity.user_id, activity.summary), (self.sv_manager, "Monthly call"))

    def test_without_salesperson_or_user_a_manager_of_the_company_calls(self):
        self._plan(min_balance=1000)
        self.run_cron()
        user = self.followups(self.other_holder).user_id
        self.assertTrue(user.has_group("stored_value_crm.group_stored_value_manager"))
        self.assertIn(self.company, user.company_ids)

    def test_no_new_call_sooner_than_the_interval_after_the_last_one_is_done(self):
        self._plan(min_balance=5000, interval_days=14)
        self.run_cron()
        first = self.followups(self.holder)
        self.assertEqual(len(first), 1)
        with freeze_time(self.at(3)):
            first.with_user(self.salesperson).action_done()
            self.env.flush_all()  # the done date is stored when the request ends, on day 3
        self.assertEqual((first.active, first.date_done), (False, self.today + timedelta(days=3)))
        with freeze_time(self.at(16)):
            self.run_cron()
        self.assertEqual(self.followups(self.holder), first, "done on day 3: the next call is due from day 17")
        with freeze_time(self.at(17)):
            self.run_cron()
        second = self.followups(self.holder) - first
        self.assertEqual(len(second), 1)
        self.assertEqual(second.date_deadline, self.today + timedelta(days=17 + 14))

    def test_most_attentive_plan_wins(self):
        monthly = self._plan(min_balance=1000, interval_days=30, sequence=1)
        vip = self._plan(name="VIP: balance ≥ 5,000, call every 14 days", min_balance=5000, interval_days=14)
        monthly.with_user(self.sv_manager).action_schedule_now()
        self.assertFalse(self.followups(self.holder), "the VIP plan follows this customer, not the monthly one")
        self.assertEqual(self.followups(self.other_holder).stored_value_followup_plan_id, monthly)
        self.run_cron()
        self.assertEqual(self.followups(self.holder).stored_value_followup_plan_id, vip)
        self.assertEqual(len(self.followups(self.other_holder)), 1)

    def test_dormant_customers_are_called(self):
        self._plan(no_purchase_days=90, interval_days=60)
        self.run_cron()
        self.assertFalse(self.followups(self.holder) | self.followups(self.other_holder))
        with freeze_time(self.at(50)):
            self.pay_with_card(self.make_invoice(100, self.other_holder), self.other_card)
        with freeze_time(self.at(91)):
            self.run_cron()
        self.assertEqual(len(self.followups(self.holder)), 1, "never bought since the card was issued 91 days ago")
        self.assertFalse(self.followups(self.other_holder), "bought 41 days ago")
        with freeze_time(self.at(141)):
            self.run_cron()
        self.assertEqual(self.followups(self.other_holder).date_deadline, self.today + timedelta(days=141 + 60))

    def test_extra_customer_conditions(self):
        plan = self._plan(min_balance=1000, partner_domain=repr([("user_id", "!=", False)]))
        self.assertIsInstance(plan._partner_domain(), Domain)
        self.run_cron()
        self.assertEqual(len(self.followups(self.holder)), 1)
        self.assertFalse(self.followups(self.other_holder), "this customer has no salesperson")

    def test_plan_can_follow_customers_without_a_card(self):
        walk_in = self.env["res.partner"].create({"name": "Walk-in Customer", "company_id": False})
        self._agree_to_calls(walk_in)
        conditions = repr([("name", "in", ["Walk-in Customer", "Li Na"])])
        self._plan(partner_domain=conditions)
        self.run_cron()
        self.assertFalse(self.followups(walk_in), "by default only card holders are followed")
        self._plan(name="Everybody matching", partner_domain=conditions, card_holders_only=False)
        self.run_cron()
        self.assertEqual(len(self.followups(walk_in)), 1)
        self.assertEqual(len(self.followups(self.holder)), 1)

    def test_partner_shows_its_next_followup(self):
        plan = self._plan(min_balance=5000, interval_days=14, summary="VIP courtesy call")
        self.run_cron()
        partner = self.holder.with_user(self.sv_user)
        self.assertEqual(partner.stored_value_next_followup_date, self.today + timedelta(days=14))
        self.assertEqual(partner.stored_value_next_followup_plan_id, plan)
        self.assertEqual(partner.stored_value_next_followup_summary, "VIP courtesy call")
        self.followups(self.holder).action_done()
        self.env.invalidate_all()
        self.assertFalse(partner.stored_value_next_followup_date)

    def test_cashier_reads_plans_and_manager_configures_them(self):
        plan = self._plan(min_balance=1000)
        Plan = self.env["stored.value.followup.plan"]
        self.assertEqual(Plan.with_user(self.sv_user).search([]), plan)
        self.assertEqual(plan.with_user(self.sv_user).interval_days, 30)
        with self.assertRaises(AccessError):
            Plan.with_user(self.sv_user).create({"name": "Call everybody", "interval_days": 7})
        with self.assertRaises(AccessError):
            plan.with_user(self.sv_user).action_schedule_now()
        with self.assertRaises(AccessError):
            Plan.with_user(self.plain_user).search([])
        form = Form(Plan.with_user(self.sv_manager))
        form.name = "VIP: balance ≥ 5,000, call every 14 days"
        form.min_balance = 5000
        form.interval_days = 14
        vip = form.save()
        self.assertEqual((vip.company_id, vip.activity_type_id), (self.company, self.call))
        vip.with_user(self.sv_manager).action_schedule_now()
        self.assertEqual(self.followups(self.holder).user_id, self.salesperson)

    def test_bad_values_are_refused(self):
        for values in (
            {"interval_days": -1},
            {"interval_days": 0},
            {"no_purchase_days": -5},
            {"min_balance": -1},
            {"responsible_type": "user", "user_id": False},
            {"partner_domain": "[('no_such_field', '=', 1)]"},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self._plan(**values)
