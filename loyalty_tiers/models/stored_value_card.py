from odoo import models
from odoo.tools import float_round

from .loyalty_card import POINT_DIGITS


class StoredValueCard(models.Model):
    _inherit = "stored.value.card"

    def _book_top_up(self, amount, key, **values):
        """A top-up also earns the points of the loyalty programmes that reward top-ups (once per key)."""
        entries = super()._book_top_up(amount, key, **values)
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("program_type", "=", "loyalty"),
                    ("topup_points_per_unit", ">", 0),
                    ("company_id", "in", [False, self.company_id.id]),
                ]
            )
        )
        for program in programs:
            card = program._member_card(self.partner_id)
            points = float_round(
                amount * program.topup_points_per_unit * card._point_multiplier(),
                precision_digits=POINT_DIGITS,
                rounding_method="DOWN",
            )
            if points > 0:
                card._earn_points(
                    points,
                    f"stored.value.topup/{key}",
                    self.env._("Top-up of card %(card)s", card=self.name),
                )
        # Top-ups and the stored balance are tier measures: a member moves up at once.
        self.env["loyalty.card"]._member_cards(self.partner_id, self.company_id)._update_tiers()
        self.env["loyalty.referral"]._reward_qualifying(
            "topup", self.partner_id, amount, self.currency_id, self.company_id, entries[:1]
        )
        return entries
