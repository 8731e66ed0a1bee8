from freezegun import freeze_time

from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestConsentHonoured(StoredValueCommon):
    """Every message the suite sends asks ``_stored_value_may_contact`` first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder.write({"email": "li.na@example.com", "phone": "+86 138 0013 8000"})
        cls.other_holder.write({"email": "wang.wei@example.com", "phone": "+86 139 0013 9000"})
        cls.holder._stored_value_set_consent({"email": True, "phone": True}, "backoffice")
        cls.card = cls._create_card()
        cls.other_card = cls._create_card(cls.other_holder)

    def mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_the_shared_helper_needs_consent_and_an_address(self):
        Partner = self.env["res.partner"]
        no_email = Partner.create({"name": "Sun Li"})
        no_email._stored_value_set_consent({"email": True, "sms": True}, "pos")
        everyone = self.holder | self.other_holder | no_email
        self.assertEqual(everyone._stored_value_may_contact("email"), self.holder)
        self.assertEqual(everyone._stored_value_may_contact("phone"), self.holder)
        self.assertFalse(everyone._stored_value_may_contact("sms"), "SMS consent without a number reaches nobody")
        self.assertEqual(Partner.search(Partner._stored_value_contactable_domain("email")) & everyone, self.holder)
        with self.assertRefused("Unknown contact channel"):
            everyone._stored_value_may_contact("pigeon")

    def test_movement_emails_follow_the_consent(self):
        self.top_up(self.card, 100)
        self.top_up(self.other_card, 100)
        self.assertEqual(len(self.mails_to(self.holder)), 1)
        self.assertFalse(self.mails_to(self.other_holder), "no consent, no email")
        self.holder._stored_value_set_consent({"email": False}, "portal")
        self.top_up(self.card, 50)
        self.assertEqual(len(self.mails_to(self.holder)), 1, "withdrawn: the next movement sends nothing")

    def test_statement_is_emailed_only_with_consent(self):
        self.top_up(self.other_card, 100)
        wizard = (
            self.env["stored.value.statement.wizard"]
            .with_user(self.sv_user)
            .create({"card_id": self.other_card.id, "date_from": "2026-01-01", "date_to": "2026-12-31"})
        )
        with self.assertRefused("has not agreed to receive emails"):
            wizard.action_send()
        self.assertFalse(self.other_card.message_ids.filtered(lambda message: message.message_type == "comment"))
        wizard.action_print()  # printing it for them at the counter is still possible

    def test_balance_reminders_follow_the_consent(self):
        with freeze_time("2026-01-01"):
            self.top_up(self.card, 300)
            self.top_up(self.other_card, 300)
        self.holder._stored_value_set_consent({"email": False}, "backoffice")
        self.other_holder._stored_value_set_consent({"email": True}, "backoffice")
        before = self.mails_to(self.holder) | self.mails_to(self.other_holder)
        with freeze_time("2026-09-01"), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_send_reminders()
        sent = (self.mails_to(self.holder) | self.mails_to(self.other_holder)) - before
        self.assertEqual(sent.recipient_ids, self.other_holder)
        self.assertIn("You still have", sent.subject)

    def test_phone_follow_ups_only_for_customers_who_agreed_to_be_called(self):
        self.top_up(self.card, 2000)
        self.top_up(self.other_card, 2000)
        Plan = self.env["stored.value.followup.plan"]
        call_plan = Plan.create(
            {
                "name": "Call big balances",
                "company_id": self.company.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "min_balance": 1000,
                "user_id": self.sv_manager.id,
            }
        )
        activities = call_plan._schedule_followups()
        self.assertEqual(activities.mapped("res_id"), self.holder.ids, "Wang Wei never agreed to be called")
        # A to-do that does not contact the customer needs no consent.
        todo_plan = Plan.create(
            {
                "name": "Review big balances",
                "company_id": self.company.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "min_balance": 1000,
                "interval_days": 7,
                "user_id": self.sv_manager.id,
            }
        )
        self.assertEqual(
            sorted(todo_plan._schedule_followups().mapped("res_id")), sorted((self.holder | self.other_holder).ids)
        )
