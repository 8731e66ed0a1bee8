from odoo import models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    # Every sync and return of a member's order looks its points up by order (pos.order._loyalty_history):
    # Odoo indexes the history by card only, so each lookup read the whole programme's history.
    _order_idx = models.Index("(order_id, order_model)")
