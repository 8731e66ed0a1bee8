from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestInvitationQueue(CustomerFeedbackCommon):
    """Email invitations of point of sale orders are decided by the job after the sync, each order once."""

    def setUp(self):
        super().setUp()
        self.company.feedback_invitation_interval_days = 0
        self.Pending = self.env["customer.feedback.pending.order"]

    def invitations(self):
        return self.env["customer.feedback.invitation"].search([("company_id", "=", self.company.id)])

    def pending(self, orders):
        return self.Pending.search([("pos_order_id", "in", orders.ids)])

    def test_the_job_decides_each_order_once(self):
        rule = self._create_rule(channel="email", every_nth=2)
        customers = [
            self.env["res.partner"].create({"name": f"Customer {n}", "email": f"c{n}@example.com"}) for n in range(4)
        ]
        orders = [self.sell_at_pos(customer)[0] for customer in customers]
        self.assertFalse(self.invitations(), "the sync leaves the decision to the job")
        orders = self.env["pos.order"].concat(*orders)
        self.assertEqual(self.pending(orders).pos_order_id, orders)
        with self.cron_commits_suspended():
            self.Pending._cron_decide_invitations()
        self.assertEqual(self.invitations().partner_id, customers[1] | customers[3], "every second order, in order")
        self.assertEqual(rule.matched_count, 4)
        self.assertFalse(self.pending(orders))
        with self.cron_commits_suspended():
            self.Pending._cron_decide_invitations()
        self.assertEqual(len(self.invitations()), 2)

    def test_a_receipt_link_is_decided_at_the_sync(self):
        self._create_rule(channel="qr")
        order, result = self.sell_at_pos(self.holder)
        self.assertTrue(order.feedback_survey_url)
        self.assertEqual(result["pos.order"][0]["feedback_survey_url"], order.feedback_survey_url)
        self.assertFalse(self.pending(order))

    def test_a_replayed_sync_is_queued_once(self):
        self._create_rule(channel="email")
        order, _result = self.sell_at_pos(self.holder)
        self.Pending._queue(order)
        self.assertEqual(len(self.pending(order)), 1)

    def test_nobody_but_the_suite_touches_the_queue(self):
        self._create_rule(channel="email")
        order, _result = self.sell_at_pos(self.holder)
        for user in (self.cashier, self.feedback_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Pending.with_user(user).search([])
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Pending.with_user(user).create({"pos_order_id": order.id})
