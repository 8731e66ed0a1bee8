from odoo import api, models


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model
    def _load_pos_data_models(self, config):
        return [*super()._load_pos_data_models(config), "stored.value.card"]

    def _validate_session(self, balancing_account=False, amount_to_balance=0, bank_payment_method_diffs=None):
        """The session's entries take every card payment off deposits, the uncovered ones too: what no card
        paid moves back to deposits, owed by the customer instead, in the same closing."""
        result = super()._validate_session(balancing_account, amount_to_balance, bank_payment_method_diffs)
        uncovered = self.order_ids.payment_ids.filtered(
            lambda payment: payment.stored_value_state == "uncovered" and not payment.stored_value_move_id
        )
        for payment in uncovered:
            payment._stored_value_post_uncovered_move()
        return result
