from odoo import models
from odoo.exceptions import AccessError

from ..models.res_partner import _BIRTHDAY_MERGE


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Members' cards change holder in a merge (Odoo moves every reference in SQL): only a manager of
        what they hold may merge them. Every card, ledger entry and point batch then ends on the kept
        contact with its value untouched."""
        partners = self.env["res.partner"].browse(partner_ids).exists()
        # sudo: counting the cards of the contacts being merged, whatever the user may read.
        loyalty_cards = (
            self.env["loyalty.card"]
            .sudo()
            .search_count([("partner_id", "in", partners.ids), ("program_id.program_type", "=", "loyalty")], limit=1)
        )
        wallets = self.env["stored.value.card"].sudo().search_count([("partner_id", "in", partners.ids)], limit=1)
        if not self.env.su and (
            (loyalty_cards and not self.env.user.has_group("loyalty_tiers.group_loyalty_tier_manager"))
            or (wallets and not self.env.user.has_group("stored_value_crm.group_stored_value_manager"))
        ):
            raise AccessError(
                self.env._(
                    "These contacts hold loyalty or stored-value cards: only a Loyalty Tiers manager (for "
                    "loyalty cards) and a Stored Value manager (for stored-value cards) may merge them."
                )
            )
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)

    def _merge_loyalty_cards(self, src_partners, dst_partner):
        """Odoo adds the points of the merged contacts' cards onto one card of each programme. For the
        tiered programmes, move them first through the points' door, with their batches and expiry
        dates, so that Odoo's step finds nothing left to add (adding would book them as a new batch
        expiring a year from now)."""
        Card = self.env["loyalty.card"]
        cards = Card._member_cards(src_partners | dst_partner)
        for program in cards.program_id:
            program_cards = cards.filtered(lambda card, program=program: card.program_id == program)
            # The same card Odoo keeps: the kept contact's, else the first of the others.
            target = program_cards.filtered(lambda card: card.partner_id == dst_partner)[:1] or program_cards[:1]
            (program_cards - target)._merge_points_into(target)
        return super()._merge_loyalty_cards(src_partners, dst_partner)

    def _update_values(self, src_partners, dst_partner):
        # The kept contact takes the birthday change date with the birthday, as the merge takes every field.
        return super()._update_values(src_partners, dst_partner.with_context(loyalty_birthday_merge=_BIRTHDAY_MERGE))

    def _update_foreign_keys(self, src_partners, dst_partner):
        result = super()._update_foreign_keys(src_partners, dst_partner)
        # The cards moved in SQL: the kept contact's tier is now the highest of all their cards.
        self.env.add_to_compute(dst_partner._fields["loyalty_tier_id"], dst_partner)
        return result
