from odoo import models
from odoo.fields import Domain
from odoo.tools import float_compare, float_round

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

    # ------------------------------------------------------------------
    # Gift packs (充值礼包): the points and coupons a top-up rule gives besides money
    # ------------------------------------------------------------------

    @staticmethod
    def _gift_key(top_up):
        """What keys the gifts of the ``top_up`` ledger entry: its points batches and coupons start with it."""
        return f"{top_up._name},{top_up.id}/gift/"

    def _top_up_gift_descriptions(self, rules):
        Rule = self.env["stored.value.bonus.rule"]
        return super()._top_up_gift_descriptions(rules) + Rule.browse([rule.id for rule in rules])._gift_descriptions()

    def _give_top_up_gifts(self, top_up, rules):
        """Give the points and coupons of ``rules`` for ``top_up``, each once (keyed by the entry)."""
        result = super()._give_top_up_gifts(top_up, rules)
        key = self._gift_key(top_up)
        description = self.env._("Gift of top-up %(entry)s on card %(card)s", entry=top_up.name, card=self.name)
        # sudo: whoever books the top-up (a clerk, a POS sync) gives what the rule says; they may not read
        # the programmes, and the doors below issue the points and coupons.
        for rule in self.env["stored.value.bonus.rule"].sudo().browse([rule.id for rule in rules]):
            if float_compare(rule.gift_points, 0.0, precision_digits=POINT_DIGITS) > 0:
                member_card = rule.gift_points_program_id._member_card(self.partner_id)
                member_card._earn_points(rule.gift_points, f"{key}{rule.id}", f"{description} ({rule.name})")
            for gift in rule.gift_line_ids:
                for number in range(1, gift.quantity + 1):
                    gift.program_id._issue_coupon(
                        self.partner_id, f"{key}{rule.id}/{gift.id}/{number}", f"{description} ({rule.name})"
                    )
        # Each coupon's code reaches the holder by their consented channels (message type Coupon Given).
        return result

    def _gift_pack_top_ups(self, before=None):
        """The top-ups a refund now pays back: those of the card (and the cards it replaced) since its
        last refund, up to the ``before`` entry (the refund being booked). An earlier refund settled the rest."""
        cards = self._with_replaced_cards()
        Ledger = self.env["stored.value.ledger"].sudo()
        domain = Domain("card_id", "in", cards.ids)
        if before:
            domain &= Domain("id", "<", before.id)
        last_refund = Ledger.search(domain & Domain("entry_type", "=", "cash_refund"), order="id desc", limit=1)
        if last_refund:
            domain &= Domain("id", ">", last_refund.id)
        return Ledger.search(domain & Domain("entry_type", "=", "topup"), order="id")

    def _gift_packs_held(self, before=None):
        """``[(top_up, batches, coupons)]``: what the member holds of the gift packs a refund pays back
        (see :meth:`_gift_pack_top_ups`): the points batches and the coupons not yet voided."""
        Batch = self.env["loyalty.point.batch"].sudo()
        Coupon = self.env["loyalty.card"].sudo()
        held = []
        for top_up in self._gift_pack_top_ups(before=before):
            key = f"{self._gift_key(top_up)}%"
            held.append(
                (
                    top_up,
                    Batch.search([("source_key", "=like", key)], order="id"),
                    Coupon.search([("incentive_key", "=like", key)], order="id"),
                )
            )
        return held

    def _refund_gift_deduction(self):
        """Used gift coupons are worth their gift's value kept at refund, as spent bonus is deducted."""
        deduction = super()._refund_gift_deduction()
        Gift = self.env["stored.value.bonus.rule.gift"].sudo()
        for _top_up, _batches, coupons in self._gift_packs_held():
            for coupon in coupons.filtered("use_count"):
                # The key ends in <rule>/<gift>/<number>: the gift line says what a used coupon is worth.
                deduction += Gift.browse(int(coupon.incentive_key.split("/")[-2])).exists().refund_value
        return deduction

    def _gift_pack_refund_summary(self):
        """What a refund now would take back of the gift packs, for the refund dialog; "" if nothing."""
        held = self._gift_packs_held()
        points = sum(sum(batches.mapped("points")) for _top_up, batches, _coupons in held)
        coupons = self.env["loyalty.card"].sudo().union(*(coupons for _top_up, _batches, coupons in held))
        used = coupons.filtered("use_count")
        if not points and not coupons:
            return ""
        return self.env._(
            "Gift packs: %(points)s points taken back; unused coupons voided: %(voided)s; used coupons, kept "
            "by the member: %(used)s (deducted at their value when the policy deducts spent bonus).",
            points=f"{points:g}",
            voided=len(coupons - used),
            used=len(used),
        )

    def _take_back_top_up_gifts(self, refund):
        """Take back the gift packs of the top-ups ``refund`` pays back.

        Points come back through the points door (first from the pack's own batches); points the member
        already spent are flagged for a manager, as for returned goods. Coupons not used are voided;
        used ones stay with the member, their value deducted from the refund when the policy deducts
        spent bonus (:meth:`_refund_gift_deduction`).
        """
        result = super()._take_back_top_up_gifts(refund)
        for top_up, batches, coupons in self._gift_packs_held(before=refund):
            description = self.env._(
                "Gift of top-up %(entry)s taken back by refund %(refund)s", entry=top_up.name, refund=refund.name
            )
            for batch in batches:
                missing = batch.card_id._take_back_points(batch.points, refund, top_up, description=description)
                if missing:
                    self._flag_gift_points_kept(refund, top_up, batch, missing)
            for coupon in coupons.filtered(lambda coupon: not coupon.use_count):
                coupon._void_coupon(description)
        return result

    def _flag_gift_points_kept(self, refund, top_up, batch, missing):
        """The member spent gift points the refund should take back: a manager settles them."""
        note = self.env._(
            "Refund %(refund)s takes back the %(points)s gift points of top-up %(entry)s from card %(card)s, "
            "which had spent them: %(missing)s points could not be taken back. Settle them with the member.",
            refund=refund.name,
            points=batch.points,
            entry=top_up.name,
            card=batch.card_id.code,
            missing=missing,
        )
        # sudo: the note and to-do are for a manager, whom the refunding user may not otherwise reach.
        self.sudo().message_post(body=note)
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Gift points to settle: %(card)s", card=self.name),
            note=note,
            user_id=self.company_id._stored_value_manager().id,
        )
