from odoo import api, fields, models
from odoo.exceptions import UserError


class PosOrderLine(models.Model):
    """A top-up sold at the POS: the line carries the card it credits."""

    _inherit = "pos.order.line"

    stored_value_card_id = fields.Many2one("stored.value.card", string="Topped-up Card", index="btree_not_null")
    stored_value_ledger_id = fields.Many2one("stored.value.ledger", string="Card Movement", readonly=True, copy=False)

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "stored_value_card_id"]

    def _stored_value_credit_top_up(self):
        """Credit the card with the line's amount and its bonus; flag the order if the card cannot take it."""
        self.ensure_one()
        order = self.order_id
        card = self.stored_value_card_id
        if not card:
            raise UserError(
                self.env._(
                    "Top-up line %(line)s of order %(order)s names no card.",
                    line=self.full_product_name,
                    order=order.name,
                )
            )
        if order.currency_id.compare_amounts(self.price_subtotal_incl, 0) <= 0:
            raise UserError(
                self.env._(
                    "Order %(order)s takes a top-up back: refund a card from the back office instead.", order=order.name
                )
            )
        try:
            with self.env.cr.savepoint():
                # sudo: the top-up was paid in this order; the card's checks (state, company, currency) apply.
                entries = card.sudo()._credit_top_up(
                    self.price_subtotal_incl,
                    f"pos.order/{order.uuid}/line/{self.uuid}",
                    company=order.company_id,
                    currency=order.currency_id,
                    source_ref=f"pos.order,{order.id}",
                )
        except UserError as error:
            order._stored_value_flag(
                card,
                self.env._(
                    "The top-up of %(amount)s on card %(card)s in order %(order)s could not be booked: %(problem)s "
                    "The money is in customer deposits; credit it to the holder's card.",
                    amount=card._format_amount(self.price_subtotal_incl),
                    card=card.name,
                    order=order.name,
                    problem=error.args[0],
                ),
            )
            return
        self.stored_value_ledger_id = entries[:1]
