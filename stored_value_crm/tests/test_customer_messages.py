from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestCustomerMessages(StoredValueCommon, SMSCase):
    """Every message to customers goes by the channels its company chose and the customer agreed to,
    never twice within its gap, and text messages wait for the end of the quiet hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.holder.write({"email": "li.na@example.com", "phone": "+86 138 0013 8000", "tz": "Asia/Shanghai"})
        cls.other_holder.write({"email": "wang.wei@example.com", "phone": "+86 139 0013 9000"})
        cls.holder._stored_value_set_consent({"email": True, "sms": True, "phone": True}, "backoffice")
        cls.other_holder._stored_value_set_consent({"email": True}, "backoffice")
        cls.card = cls._create_card()
        cls.other_card = cls._create_card(cls.other_holder)
        cls.env["stored.value.message.setting"].with_user(cls.sv_manager).action_open_settings()
        cls.Setting = cls.env["stored.value.message.setting"]

    def setting(self, message_type):
        return self.Setting.search([("company_id", "=", self.company.id), ("message_type", "=", message_type)])

    def messages(self, partner, message_type):
        return self.env["stored.value.message"].search(
            [("partner_id", "=", partner.id), ("message_type", "=", message_type)]
        )

    def test_a_manager_sees_every_message_type_and_chooses_its_channels(self):
        types = set(self.Setting.search([("company_id", "=", self.company.id)]).mapped("message_type"))
        self.assertTrue({"movement", "low_balance", "dormant"} <= types)
        self.setting("movement").with_user(self.sv_manager).write({"by_sms": True, "by_phone": True})
        with self.assertRaises(AccessError):
            self.setting("movement").with_user(self.sv_user).write({"by_sms": False})

    def test_sms_goes_only_to_customers_who_agreed_to_it(self):
        self.setting("movement").with_user(self.sv_manager).write({"by_sms": True})
        with self.mockSMSGateway():
            self.top_up(self.card, 100, user=self.sv_user)
            self.top_up(self.other_card, 100, user=self.sv_user)
        self.assertSMSOutgoing(self.holder, "+8613800138000", content="Balance")
        self.assertFalse(
            self.env["sms.sms"].search([("partner_id", "=", self.other_holder.id)]), "no SMS consent, no SMS"
        )
        self.assertEqual(set(self.messages(self.holder, "movement").mapped("channel")), {"email", "sms"})
        self.assertEqual(self.messages(self.other_holder, "movement").mapped("channel"), ["email"])

    def test_a_channel_the_company_does_not_use_sends_nothing(self):
        self.setting("movement").with_user(self.sv_manager).write({"by_email": False})
        with self.mockSMSGateway():
            self.top_up(self.card, 100)
        self.assertFalse(self.messages(self.holder, "movement"))
        self.assertFalse(self._new_sms)

    def test_text_messages_wait_for_the_end_of_quiet_hours(self):
        self.setting("low_balance").with_user(self.sv_manager).write({"by_sms": True, "by_email": False})
        self.company.write({"stored_value_quiet_start": 21.0, "stored_value_quiet_end": 8.0})
        self.top_up(self.card, 10)
        # 23:30 in Shanghai (UTC+8).
        with freeze_time("2026-03-02 15:30:00"), self.mockSMSGateway(), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_send_reminders()
        waiting = self.messages(self.holder, "low_balance")
        self.assertEqual(waiting.state, "queued")
        self.assertEqual(str(waiting.scheduled_date), "2026-03-03 00:00:00", "08:00 the next morning in Shanghai")
        self.assertFalse(self._new_sms, "nothing is texted at night")
        with freeze_time("2026-03-03 00:05:00"), self.mockSMSGateway(), self.cron_commits_suspended():
            self.env["stored.value.message"]._cron_send_waiting()
            self.assertSMSOutgoing(self.holder, "+8613800138000", content="holds")
        self.assertEqual(waiting.state, "sent")

    def test_a_waiting_message_is_cancelled_when_consent_is_withdrawn(self):
        self.setting("low_balance").with_user(self.sv_manager).write({"by_sms": True, "by_email": False})
        self.top_up(self.card, 10)
        with freeze_time("2026-03-02 15:30:00"), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_send_reminders()
        self.holder._stored_value_set_consent({"sms": False}, "portal")
        with freeze_time("2026-03-03 00:05:00"), self.mockSMSGateway(), self.cron_commits_suspended():
            self.env["stored.value.message"]._cron_send_waiting()
        message = self.messages(self.holder, "low_balance")
        self.assertEqual((message.state, message.cancel_reason), ("cancelled", "The customer withdrew their consent."))
        self.assertFalse(self._new_sms)

    def test_transaction_alerts_are_texted_at_once_even_at_night(self):
        self.setting("movement").with_user(self.sv_manager).write({"by_sms": True})
        with freeze_time("2026-03-02 15:30:00"), self.mockSMSGateway():
            self.top_up(self.card, 100)
            self.assertSMSOutgoing(self.holder, "+8613800138000", content="Balance")

    def test_never_two_messages_of_a_type_within_its_gap(self):
        self.setting("movement").with_user(self.sv_manager).write({"min_gap_hours": 1})
        for moment in ("2026-03-02 02:00:00", "2026-03-02 02:30:00", "2026-03-02 03:30:00"):
            with freeze_time(moment):
                self.top_up(self.card, 10)
        told = self.messages(self.holder, "movement")
        self.assertEqual(
            sorted(str(date) for date in told.mapped("scheduled_date")),
            ["2026-03-02 02:00:00", "2026-03-02 03:30:00"],
            "the top-up of 02:30 falls within the hour after the first message",
        )

    def test_a_phone_call_is_given_to_the_salesperson(self):
        salesperson = self._create_sv_user("sv_seller", "Seller", ["stored_value_crm.group_stored_value_user"], [])
        self.holder.user_id = salesperson
        self.setting("dormant").with_user(self.sv_manager).write({"by_phone": True, "by_email": False})
        with freeze_time("2025-01-01 02:00:00"):
            self.top_up(self.card, 300)
        with freeze_time("2026-03-02 02:00:00"), self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_send_reminders()
        call = self.holder.activity_ids.filtered(lambda activity: activity.activity_type_id.category == "phonecall")
        self.assertEqual(call.user_id, salesperson)
        self.assertIn("not been used", call.summary)

    def test_nobody_rewrites_the_trail_of_messages(self):
        self.top_up(self.card, 100)
        message = self.messages(self.holder, "movement")
        with self.assertRaises(AccessError):
            message.with_user(self.sv_manager).write({"state": "cancelled"})
        with self.assertRaises(AccessError):
            self.env["stored.value.message"].with_user(self.sv_user).search([])
