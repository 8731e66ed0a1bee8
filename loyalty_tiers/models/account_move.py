from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A referred customer's first invoiced purchase (a sales order, an invoice at the desk) of the qualifying
        # amount rewards both sides; an invoiced POS order was counted when it was paid.
        for move in posted.filtered(lambda move: move.move_type == "out_invoice" and not move.sudo().pos_order_ids):
            self.env["loyalty.referral"]._reward_qualifying(
                "purchase", move.partner_id, move.amount_total, move.currency_id, move.company_id, move
            )
        return posted
