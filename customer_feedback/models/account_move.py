from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Point of sale invoices invite through their order.
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice" and not move.pos_order_ids)
        if invoices:
            # sudo: invitations are the system's; whoever posts needs no right on surveys or rules.
            self.env["customer.feedback.invitation"].sudo()._create_for_purchases(invoices)
        return posted

    def _feedback_purchase(self):
        """What invitation rules look at (see ``customer.feedback.invitation.rule._matches``)."""
        self.ensure_one()
        if not self.partner_id:
            return None
        return {
            "type": "invoice",
            "move": self,
            "partner": self.partner_id,
            "company": self.company_id,
            "amount": self.amount_total_signed,
        }
