from odoo import models
from odoo.exceptions import AccessError


class LoyaltyCardUpdateBalance(models.TransientModel):
    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        """A manager's correction of a card's points: written in the card's history and its batches.

        Odoo lets every salesperson and POS cashier open this wizard; setting a balance is a manager's
        adjustment here.
        """
        trusted = self.env["loyalty.card"]._points_trusted_caller()
        if not trusted and not self.env.user.has_group("loyalty_tiers.group_loyalty_tier_manager"):
            raise AccessError(
                self.env._(
                    "Card %(card)s: only a loyalty manager can correct the points of a card.",
                    card=self.card_id.code,
                )
            )
        wizard = self.env["loyalty.card"]._with_points_door(self)
        return super(LoyaltyCardUpdateBalance, wizard).action_update_card_point()
