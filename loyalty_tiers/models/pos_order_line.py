from odoo import models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    def _loyalty_amounts(self, qty=None):
        """``(total included, total excluded)`` of the line for ``qty`` (its own by default), computed on
        the server, never read from what the POS sent; a combo line counts its parts, as the POS does."""
        self.ensure_one()
        scale = 1.0 if qty is None or not self.qty else qty / self.qty
        incl = excl = 0.0
        for line in self | self.combo_line_ids:
            amounts = line._loyalty_scaled_amounts(scale)
            incl += amounts["price_subtotal_incl"]
            excl += amounts["price_subtotal"]
        return incl, excl

    def _loyalty_scaled_amounts(self, scale):
        """The line's totals for ``scale`` times its quantity, as the POS computes them: those of
        :meth:`_compute_amount_line_all`, but signed by the quantity alone (that method turns a refund
        order's returned lines positive)."""
        taxes = self.order_id.fiscal_position_id.map_tax(self.tax_ids)
        price = self.price_unit * (1 - (self.discount or 0.0) / 100.0)
        totals = taxes.compute_all(
            price,
            self.order_id.currency_id,
            self.qty * scale,
            product=self.product_id,
            partner=self.order_id.partner_id,
        )
        return {"price_subtotal_incl": totals["total_included"], "price_subtotal": totals["total_excluded"]}

    def _loyalty_reward_product(self):
        """The product a free-product reward line gives (the POS keeps it only in the browser)."""
        self.ensure_one()
        reward = self.reward_id
        if not self.is_reward_line or reward.reward_type != "product":
            return self.product_id.browse()
        products = reward.reward_product_ids
        return (products & self.order_id.lines.product_id)[:1] or products[:1]

    def _loyalty_points_ignored(self):
        """Lines that settle an earlier due or invoice (pos_settle_due) earn nothing, as in the POS, nor do card
        top-ups: the money is the customer's until the card spends it, and that purchase earns the points."""
        return self.product_id.stored_value_top_up or any(
            self[name] for name in ("settled_invoice_id", "settled_order_id") if name in self._fields
        )
