from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        result = super()._action_confirm()
        # sudo: invitations are the system's; the salesperson who confirms needs no right on surveys or rules.
        self.env["customer.feedback.invitation"].sudo()._create_for_purchases(self)
        return result

    def _feedback_purchase(self):
        """What invitation rules look at (see ``customer.feedback.invitation.rule._matches``)."""
        self.ensure_one()
        if not self.partner_id or self.currency_id.compare_amounts(self.amount_total, 0) <= 0:
            return None
        return {
            "type": "sale_order",
            "sale_order": self,
            "partner": self.partner_id,
            "company": self.company_id,
            "amount": self.currency_id._convert(
                self.amount_total, self.company_id.currency_id, self.company_id, self.date_order.date()
            ),
        }
