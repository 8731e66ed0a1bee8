from odoo import api, fields, models
from odoo.tools import SQL


class CustomerFeedbackPendingOrder(models.Model):
    """A point of sale order whose invitation is still to be decided.

    The order's sync only queues it (one row, in the order's transaction); the invitation job decides
    within minutes, as the order's rules say, and removes the row in the same transaction. Orders of a
    company with a rule printing its survey link on the receipt are decided at the sync instead: the
    receipt needs the link. Nobody reads or writes these rows but the suite's code.
    """

    _name = "customer.feedback.pending.order"
    _description = "Order Awaiting Its Feedback Invitation Decision"
    _order = "id"

    pos_order_id = fields.Many2one(
        "pos.order", string="Point of Sale Order", required=True, ondelete="cascade", index=True
    )

    _pos_order_unique = models.Constraint("UNIQUE(pos_order_id)", "This order already awaits its decision.")

    @api.model
    def _queue(self, orders):
        """Queue ``orders`` for the invitation job; an order queued twice (a replayed sync) is queued once."""
        if not orders:
            return
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_feedback_pending_order (pos_order_id, create_uid, create_date, write_uid,
                                                                write_date)
                   SELECT order_id, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                     FROM unnest(%(orders)s::int[]) AS order_id
                       ON CONFLICT (pos_order_id) DO NOTHING""",
                uid=self.env.uid,
                orders=orders.ids,
            )
        )

    @api.model
    def _decide_next(self, batch_size=500):
        """Decide the invitations of the next ``batch_size`` queued orders, oldest first; return how many.

        The rows are locked, skipping those another run holds, and removed with the decision: an order is
        decided once.
        """
        self.env.cr.execute(
            SQL(
                """SELECT id, pos_order_id FROM customer_feedback_pending_order
                    ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                batch_size,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        orders = self.env["pos.order"].sudo().browse([order_id for _id, order_id in rows])
        orders.filtered(lambda order: order.state in ("paid", "done", "invoiced"))._feedback_invite()
        self.env.cr.execute(
            SQL("DELETE FROM customer_feedback_pending_order WHERE id IN %s", tuple(row_id for row_id, _order in rows))
        )
        return len(rows)

    @api.model
    def _cron_decide_invitations(self, batch_size=500):
        """Decide the invitations of the queued point of sale orders, in committed batches."""
        while done := self._decide_next(batch_size):
            if not self.env["ir.cron"]._commit_progress(done):
                break
