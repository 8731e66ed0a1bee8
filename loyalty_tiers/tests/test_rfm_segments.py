from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestRfmSegments(LoyaltyTiersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customers = Partner.browse()
        # Customer n bought n times, 10 x n each time, the last time (5 - n) x 120 days ago.
        cls.history = {}
        for rank in range(1, 6):
            customer = Partner.create({"name": f"Customer {rank}"})
            cls.customers |= customer
            cls.history[customer] = [(cls.today - timedelta(days=(5 - rank) * 120 + n), 10 * rank) for n in range(rank)]

    def buy(self):
        for customer, purchases in self.history.items():
            for day, amount in purchases:
                with freeze_time(day):
                    self.make_invoice(amount, partner=customer)

    def test_scores_and_segments_of_all_customers(self):
        self.buy()
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
        segments = self.customers.mapped("rfm_segment")
        self.assertEqual(segments, ["lost", "hibernating", "loyal", "champions", "champions"])
        best = self.customers[-1]
        self.assertEqual((best.rfm_recency_score, best.rfm_frequency_score, best.rfm_monetary_score), (5, 5, 5))
        self.assertEqual((best.rfm_order_count, best.rfm_amount), (5, 250))
        self.assertEqual(best.rfm_last_order_date, self.today)
        champions = self.env["res.partner"].search([("rfm_segment", "=", "champions")])
        self.assertEqual(champions & self.customers, self.customers[-2:])
        groups = dict(
            self.env["res.partner"]._read_group([("id", "in", self.customers.ids)], ["rfm_segment"], ["__count"])
        )
        self.assertEqual(groups["champions"], 2)

    def test_purchases_in_another_currency_count_in_the_company_currency(self):
        customer = self.customers[0]
        self.paid_pos_order_in_other_currency(100, partner=customer)
        self.env["res.partner"]._compute_rfm_batch(self.company, self.today, 100)
        self.assertEqual((customer.rfm_amount, customer.rfm_currency_id), (50.0, self.currency))

    def test_each_company_segments_its_own_customers(self):
        self.buy()
        Partner = self.env["res.partner"]
        Partner._compute_rfm_batch(self.company, self.today, 100)
        other = self.env["res.company"].create({"name": "Other Shop"})
        # Nobody bought from the other company: scoring it the next day changes nothing here.
        Partner._compute_rfm_batch(other, self.today + timedelta(days=1), 100)
        best = self.customers[-1].sudo()
        self.assertEqual(best.with_company(self.company).rfm_segment, "champions")
        self.assertFalse(best.with_company(other).rfm_segment)
        self.assertEqual(best.with_company(other).rfm_currency_id, other.currency_id)

    def test_batches_resume_after_a_kill_and_nobody_is_missed_or_redone(self):
        self.buy()
        Partner = self.env["res.partner"]
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *args, **kwargs: 0.0):
            Partner._cron_compute_rfm(batch_size=2)
        self.assertEqual(len(self.customers.filtered("rfm_segment")), 2, "killed after the first batch")
        with self.cron_commits_suspended():
            Partner._cron_compute_rfm(batch_size=2)
        self.assertTrue(all(self.customers.mapped("rfm_segment")))
        self.assertEqual(set(self.customers.mapped("rfm_date")), {self.today})
        again = Partner._batches_by_id("rfm", Partner._compute_rfm_batch, self.company, self.today, 2)
        self.assertEqual(list(again), [], "nobody is scored twice a day")

    def test_a_night_where_nobody_moves_rewrites_no_contact(self):
        """Segments, stages and figures are written where they change: the rows of the others stay as they are."""
        self.buy()
        Partner = self.env["res.partner"]
        with self.cron_commits_suspended():
            Partner._cron_compute_rfm()
        self.env.flush_all()
        rows = self.partner_rows()
        tomorrow = self.today + timedelta(days=1)
        with freeze_time(tomorrow), self.cron_commits_suspended():
            Partner._cron_compute_rfm()
        self.env.flush_all()
        self.assertEqual(self.partner_rows(), rows)
        self.assertEqual(set(self.customers.mapped("rfm_date")), {tomorrow}, "all segmented again tonight")
        self.assertEqual(set(self.customers.mapped("member_value_date")), {tomorrow})

    def partner_rows(self):
        """Where each customer's row is stored: a contact rewritten moves to a new row version."""
        self.env.cr.execute("SELECT id, ctid FROM res_partner WHERE id IN %s ORDER BY id", [tuple(self.customers.ids)])
        return self.env.cr.fetchall()

    def test_a_customer_who_stops_buying_becomes_lost(self):
        self.buy()
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
        best = self.customers[-1]
        with freeze_time(self.today + timedelta(days=800)), self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
            self.assertEqual(best.rfm_segment, "lost")
            self.assertEqual(best.rfm_recency_score, 0)
