from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestPointExpiry(LoyaltyTiersCommon):
    def test_earning_is_a_batch_expiring_at_the_end_of_the_twelfth_month(self):
        with freeze_time("2025-03-15"):
            card = self._member()
            card.sudo().points += 120
        batch = self.batches(card)
        self.assertEqual((batch.points, batch.remaining, batch.state), (120, 120, "open"))
        self.assertEqual(batch.earn_date, date(2025, 3, 15))
        self.assertEqual(batch.expiry_date, date(2026, 3, 31))

    def test_spending_takes_the_oldest_points_first(self):
        with freeze_time("2025-01-10"):
            card = self._member()
            card.sudo().points += 100
        with freeze_time("2025-06-10"):
            card.sudo().points += 50
            card.sudo().points -= 120
        old, new = self.batches(card)
        self.assertEqual((old.remaining, old.state), (0, "used"))
        self.assertEqual((new.remaining, new.state), (30, "open"))
        self.assertEqual(card.points, 30)

    def test_overspending_is_refused_and_nothing_is_written(self):
        card = self._member(points=40)
        with self.assertRaisesRegex(UserError, "cannot go below zero points"), self.env.cr.savepoint():
            card.sudo().points -= 50
        self.assertEqual(card.points, 40)
        self.assertEqual(self.batches(card).remaining, 40)

    def test_batches_are_append_only(self):
        card = self._member(points=10)
        batch = self.batches(card)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            batch.write({"remaining": 500})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            batch.unlink()
        self.assertEqual(batch.remaining, 10)

    def test_cron_expires_what_is_left_with_a_history_entry(self):
        with freeze_time("2024-02-10"):
            card = self._member()
            card.sudo().points += 100
            card.sudo().points -= 30
        with freeze_time("2025-03-05"):
            card.sudo().points += 20
        with freeze_time("2025-03-05"), self.cron_commits_suspended():
            self.env["loyalty.point.batch"]._cron_expire_points()
        expired, fresh = self.batches(card)
        self.assertEqual((expired.state, expired.remaining), ("expired", 0))
        self.assertEqual((fresh.state, fresh.remaining), ("open", 20))
        self.assertEqual(card.points, 20, "the 70 points left of the old batch expired")
        history = card.history_ids.filtered(lambda line: line.used == 70)
        self.assertIn("Points expired", history.description)

    def test_cron_killed_midway_and_rerun_expires_each_batch_once(self):
        with freeze_time("2024-01-10"):
            cards = [self._member(), self._member(self.other_holder)]
            for card in cards:
                card.sudo().points += 80
        calls = []

        def stop_after_first_batch(_self, processed=0, remaining=None, deactivate=False):
            calls.append(processed)
            return 0.0  # the cron's time is up: the run stops here, as a killed run would

        partner_points = {card: card.points for card in cards}
        self.assertEqual(list(partner_points.values()), [80, 80])
        with freeze_time("2025-02-01"):
            with patch.object(type(self.env["ir.cron"]), "_commit_progress", stop_after_first_batch):
                self.env["loyalty.point.batch"]._cron_expire_points(batch_size=1)
            self.assertEqual(calls, [1])
            self.assertEqual(sorted(card.points for card in cards), [0, 80], "one card done before the stop")
            with self.cron_commits_suspended():
                self.env["loyalty.point.batch"]._cron_expire_points(batch_size=1)
                self.env["loyalty.point.batch"]._cron_expire_points(batch_size=1)
        for card in cards:
            self.assertEqual(card.points, 0)
            self.assertEqual(len(card.history_ids.filtered("used")), 1, "expired once, not twice")

    def test_members_are_reminded_once_before_points_expire(self):
        self.holder.email = "li.na@example.com"
        self.holder._stored_value_set_consent({"email": True}, "pos")
        with freeze_time("2024-03-10"):
            card = self._member()
            card.sudo().points += 60
        with freeze_time("2025-03-10"):
            self.assertEqual(card.points_expiring, 60)
            self.assertEqual(card.points_expiring_date, date(2025, 3, 31))
            with self.cron_commits_suspended():
                self.env["loyalty.point.batch"]._cron_send_expiry_reminders()
                self.env["loyalty.point.batch"]._cron_send_expiry_reminders()
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertEqual(len(mails), 1, "one reminder, however often the cron runs")
        self.assertIn("60", mails.subject)
        self.assertTrue(self.batches(card).reminder_sent)

    def test_members_without_email_consent_are_not_reminded(self):
        self.holder.email = "li.na@example.com"
        self.holder._stored_value_set_consent({"email": False, "phone": True}, "pos")
        with freeze_time("2024-03-10"):
            card = self._member()
            card.sudo().points += 60
        with freeze_time("2025-03-10"), self.cron_commits_suspended():
            self.env["loyalty.point.batch"]._cron_send_expiry_reminders()
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]))
        self.assertFalse(self.batches(card).reminder_sent, "reminded once the member agrees, if still in time")
