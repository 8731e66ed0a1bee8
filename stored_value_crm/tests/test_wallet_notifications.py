from freezegun import freeze_time

from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletNotifications(StoredValueCommon):
    def setUp(self):
        super().setUp()
        self.holder.email = "li.na@example.com"
        self.holder._stored_value_set_consent({"email": True}, "backoffice")
        self.other_holder.email = "wang.wei@example.com"

    def mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_holders_who_opted_in_get_an_email_per_movement(self):
        card = self._create_card()
        self.top_up(card, 100)
        self.pay_with_card(self.make_invoice(30), card)
        subjects = self.mails_to(self.holder).mapped("subject")
        self.assertEqual(len(subjects), 2, "one email for the top-up, one for the payment")
        self.assertTrue(any("Top-up" in subject for subject in subjects))
        for mail in self.mails_to(self.holder):
            self.assertIn(card.masked_number, mail.subject + mail.body_html)
            self.assertNotIn(card.name, mail.subject + mail.body_html, "an email shows the last four digits only")
        silent = self._create_card(self.other_holder)
        self.top_up(silent, 100)
        self.assertFalse(self.mails_to(self.other_holder), "no email without the holder's consent")

    def test_low_balance_reminder_is_sent_once(self):
        card = self._create_card()
        self.top_up(card, 100)
        self.pay_with_card(self.make_invoice(70), card)  # 30 left, below the default 50
        before = self.mails_to(self.holder)
        with self.cron_commits_suspended():
            self.env["stored.value.card"]._cron_send_reminders()
            self.env["stored.value.card"]._cron_send_reminders()
        reminders = self.mails_to(self.holder) - before
        self.assertEqual(len(reminders), 1)
        self.assertIn("running low", reminders.subject)

    def test_dormant_balance_reminder(self):
        with freeze_time("2026-01-01"):
            card = self._create_card()
            self.top_up(card, 300)
        with freeze_time("2026-09-01"), self.cron_commits_suspended():
            self.assertTrue(card.is_dormant)
            self.assertIn(card, self.env["stored.value.card"].search([("is_dormant", "=", True)]))
            self.env["stored.value.card"]._cron_send_reminders()
        self.assertTrue(any("You still have" in subject for subject in self.mails_to(self.holder).mapped("subject")))
