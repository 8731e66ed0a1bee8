from odoo import api, fields, models
from odoo.exceptions import UserError


class PosOrder(models.Model):
    """POS orders pay from cards and sell top-ups; the server books both when the order is paid."""

    _inherit = "pos.order"

    stored_value_review = fields.Boolean(
        string="Card Booking to Settle",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A card payment or top-up of this order could not be booked when it reached the server.",
    )
    stored_value_ledger_ids = fields.One2many(
        "stored.value.ledger", compute="_compute_stored_value_ledger_ids", string="Card Movements"
    )

    def _compute_stored_value_ledger_ids(self):
        entries = self.env["stored.value.ledger"]._of_documents(self)
        for order in self:
            order.stored_value_ledger_ids = entries[order]

    @api.model
    def _load_pos_data_fields(self, config):
        fields_to_load = super()._load_pos_data_fields(config)
        return fields_to_load and [*fields_to_load, "stored_value_review"]

    def action_pos_order_paid(self):
        result = super().action_pos_order_paid()
        self._stored_value_book()
        return result

    def _stored_value_book(self):
        """Book the order's card payments and top-ups, once each (keyed by the order's and lines' uuids)."""
        for order in self:
            payments = order.payment_ids.filtered(
                lambda payment: payment.payment_method_id.is_stored_value and not payment.stored_value_state
            )
            top_ups = order.lines.filtered(lambda line: line.product_id.stored_value_top_up)
            if payments.stored_value_card_id & top_ups.stored_value_card_id:
                raise UserError(
                    self.env._("Order %(order)s tops a card up with money from that same card.", order=order.name)
                )
            for line in top_ups.filtered(lambda line: not line.stored_value_ledger_id):
                line._stored_value_credit_top_up()
            for payment in payments:
                payment._stored_value_book()

    def _stored_value_flag(self, record, problem):
        """Keep the order, mark it for review and give a manager a to-do on ``record`` (card or customer)."""
        self.ensure_one()
        if record._name == "stored.value.card":
            # Terminals flagging one card at once take turns, as they do when they pay from it.
            record.sudo()._lock(touch=True)
        self.stored_value_review = True
        self.message_post(body=problem)
        # sudo: the to-do is for a manager, whom the cashier may not otherwise reach.
        record.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Card booking to settle: %(order)s", order=self.name),
            note=problem,
            user_id=self.company_id._stored_value_manager().id,
        )

    def action_stored_value_settled(self):
        """A manager settled the card bookings of these orders with the customers."""
        self.env["stored.value.card"]._check_manager()
        for order in self.filtered("stored_value_review"):
            order.stored_value_review = False
            order.message_post(body=self.env._("Card booking settled by %(user)s.", user=self.env.user.name))
