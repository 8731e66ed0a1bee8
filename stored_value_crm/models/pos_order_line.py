from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount

from ..tools.keys import check_uuid

# What a top-up line booked on its card keeps: changing it would part the session's books from the card.
BOOKED_TOP_UP_FIELDS = frozenset(
    {
        "stored_value_card_id",
        "product_id",
        "qty",
        "price_unit",
        "discount",
        "tax_ids",
        "price_subtotal",
        "price_subtotal_incl",
        "order_id",
    }
)


class PosOrderLine(models.Model):
    """A top-up sold at the POS: the line carries the card it credits."""

    _name = "pos.order.line"
    _inherit = ["pos.order.line", "stored.value.guard"]
    _protected_fields = frozenset({"stored_value_ledger_id"})

    stored_value_card_id = fields.Many2one("stored.value.card", string="Topped-up Card", index="btree_not_null")
    stored_value_ledger_id = fields.Many2one("stored.value.ledger", string="Card Movement", readonly=True, copy=False)
    stored_value_opens_card = fields.Boolean(
        string="Credits the Card Opened",
        copy=False,
        help="A top-up of the member card this order opened offline: it credits that card when the order syncs.",
    )

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "stored_value_card_id", "stored_value_opens_card"]

    def write(self, vals):
        if (
            BOOKED_TOP_UP_FIELDS & set(vals)
            and not self._protected_open()
            and any(self.mapped("stored_value_ledger_id"))
        ):
            raise AccessError(
                self.env._("A top-up booked on its card cannot be changed: refund the card from the back office.")
            )
        return super().write(vals)

    def _stored_value_credit_top_up(self):
        """Credit the card with what the line comes to, and its bonus; flag the order if the card cannot take it.

        The amount is the server's (price, quantity and discount of an untaxed line, as Odoo computes a
        line), never the line's claimed subtotal; the caller checked that both agree.
        """
        self.ensure_one()
        order = self.order_id
        card = self.stored_value_card_id
        if not card and self.stored_value_opens_card:
            self._stored_value_flag_top_up(self.env._("The member card of the order was not opened."))
            return
        if not card:
            raise UserError(
                self.env._(
                    "Top-up line %(line)s of order %(order)s names no card.",
                    line=self.full_product_name,
                    order=order.name,
                )
            )
        amount = self._compute_amount_line_all()["price_subtotal_incl"]
        try:
            with self.env.cr.savepoint():
                if self.tax_ids:
                    raise UserError(self.env._("Money put on a card is a deposit: the top-up line carries no tax."))
                if order.is_refund or self.qty <= 0 or order.currency_id.compare_amounts(amount, 0) <= 0:
                    raise UserError(
                        self.env._("A top-up is not taken back at the till: refund a card from the back office.")
                    )
                # sudo: the top-up was paid in this order; the card's checks (state, company, currency) apply.
                entries = card.sudo()._credit_top_up(
                    amount,
                    self._stored_value_key(),
                    company=order.company_id,
                    currency=order.currency_id,
                    source_ref=f"pos.order,{order.id}",
                )
        except UserError as error:
            self._stored_value_flag_top_up(error.args[0], amount)
            return
        self._posting().write({"stored_value_ledger_id": entries[:1].id})

    def _stored_value_key(self):
        check_uuid(self.env, self.order_id.uuid)
        check_uuid(self.env, self.uuid)
        return f"pos.order/{self.order_id.uuid}/line/{self.uuid}"

    def _stored_value_flag_top_up(self, problem, amount=None):
        """The money of a top-up the card could not take stays in deposits; a manager credits it."""
        order = self.order_id
        card = self.stored_value_card_id
        order._stored_value_flag(
            card or order.partner_id,
            self.env._(
                "The top-up of %(amount)s on card %(card)s in order %(order)s could not be booked: %(problem)s "
                "The money taken is in customer deposits; settle it with the holder.",
                amount=format_amount(
                    self.env, self.price_subtotal_incl if amount is None else amount, order.currency_id
                ),
                card=card.name or "-",
                order=order.name,
                problem=problem,
            ),
        )
