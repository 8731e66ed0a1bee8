from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Programmes whose cards are codes a member redeems once or spends down, fit to be given as an incentive.
COUPON_PROGRAM_TYPES = ("coupons", "gift_card", "next_order_coupons", "promotion")


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    tier_ids = fields.One2many("loyalty.tier", "program_id", string="Tiers")
    point_validity_months = fields.Integer(
        string="Points Valid For (months)",
        default=12,
        help="Points earned in a month expire at the end of this many months later "
        "(12: points earned in March 2025 expire on 31 March 2026); 0: points never expire.",
    )
    point_expiry_reminder_days = fields.Integer(
        string="Expiry Reminder (days)",
        default=30,
        help="Members are emailed this many days before some of their points expire; 0: no reminder.",
    )
    topup_points_per_unit = fields.Float(
        string="Points per Top-up Unit",
        help="Points earned for each unit of currency topped up on a stored-value card; 0: none.",
    )
    birthday_days_before = fields.Integer(
        string="Birthday Care (days before)",
        help="Members get their birthday greeting and gifts this many days before their birthday; "
        "0: on the first day of their birthday month.",
    )
    tier_warning_days = fields.Integer(
        string="Downgrade Warning (days)",
        default=30,
        help="Members who would lose their tier at its review are told this many days before, with what "
        "they still need; 0: no warning.",
    )
    birthday_multiplier = fields.Float(
        default=1.0,
        help="Points earned during the member's birthday month are multiplied by this (2: double points).",
    )

    @api.constrains(
        "point_validity_months",
        "point_expiry_reminder_days",
        "topup_points_per_unit",
        "birthday_multiplier",
        "birthday_days_before",
        "tier_warning_days",
    )
    def _check_point_policy(self):
        for program in self:
            delays = (program.point_validity_months, program.point_expiry_reminder_days, program.tier_warning_days)
            if min(delays) < 0 or not 0 <= program.birthday_days_before <= 60:
                raise ValidationError(
                    self.env._(
                        "Programme “%(program)s”: the validity and the reminder and warning delays cannot be "
                        "negative, and birthday care starts at most 60 days before.",
                        program=program.name,
                    )
                )
            if program.topup_points_per_unit < 0 or program.birthday_multiplier <= 0:
                raise ValidationError(
                    self.env._(
                        "Programme “%(program)s”: top-up points cannot be negative and the birthday "
                        "multiplier must be positive.",
                        program=program.name,
                    )
                )

    def _tiers_by_level(self):
        """The programme's tiers, lowest first."""
        self.ensure_one()
        return self.tier_ids.sorted(lambda tier: (tier.sequence, tier.id))

    def _point_multiplier(self, tier, partner, date):
        """What points earned on ``date`` by ``partner`` in ``tier`` are multiplied by."""
        self.ensure_one()
        multiplier = tier.point_multiplier or 1.0
        if partner.loyalty_birthday and partner.loyalty_birthday.month == date.month:
            multiplier *= self.birthday_multiplier
        return multiplier

    def _member_card(self, partner):
        """The card of ``partner`` in this programme, issued now if they have none."""
        self.ensure_one()
        Card = self.env["loyalty.card"].sudo()  # members get a card whatever the rights of who serves them
        return Card.search([("program_id", "=", self.id), ("partner_id", "=", partner.id)], limit=1) or Card.create(
            {"program_id": self.id, "partner_id": partner.id, "points": 0.0}
        )

    def _issue_coupon(self, partner, key, description, points=None, expiration_date=None, notify=True):
        """A coupon (or gift card) of this programme for ``partner``, issued once per ``key``.

        Every incentive of the suite (gift packs, the points shop, referrals, tier gifts, compensation)
        issues its codes here. ``points`` are the card's uses (a coupon) or value (a gift card); by default
        what the programme's dearest reward costs. Odoo's creation email is not sent: the member is told the
        code by their consented channels (``notify``; a caller whose own message gives the code says no).
        A key sent again returns the card it issued, and tells nobody again.
        """
        self.ensure_one()
        Card = self.env["loyalty.card"].sudo()  # the caller has checked who may give the incentive
        issued = Card.with_context(active_test=False).search([("incentive_key", "=", key)], limit=1)
        if issued:
            if issued.partner_id != partner or issued.program_id != self:
                raise UserError(self.env._("This request already issued a coupon to another customer."))
            return issued.with_env(self.env)
        if self.program_type not in COUPON_PROGRAM_TYPES or not self.active:
            raise UserError(
                self.env._("Programme “%(program)s” does not issue coupons or gift cards.", program=self.name)
            )
        if self.company_id and partner.company_id and partner.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "Programme “%(program)s” belongs to another company than %(customer)s.",
                    program=self.name,
                    customer=partner.display_name,
                )
            )
        if points is None:
            points = max(self.reward_ids.mapped("required_points") or [1.0])
        if points <= 0:
            raise UserError(self.env._("A coupon of “%(program)s” must be worth something.", program=self.name))
        values = {
            "program_id": self.id,
            "partner_id": partner.id,
            "points": points,
            "incentive_key": key,
            "incentive_description": description,
        }
        if expiration_date:
            values["expiration_date"] = expiration_date
        coupon = Card._posting().with_context(loyalty_no_mail=True).create(values)
        if notify:
            self.env["stored.value.message"]._dispatch("coupon_given", coupon)
        return coupon.with_env(self.env)

    def _demo_load_members(self, tier_names_zh=None):
        """Demo data: the stored-value holders join the programme and get their tiers and segments.

        ``tier_names_zh`` (``{tier xml id: name}``) names the demo tiers in Chinese where zh_CN is installed.
        """
        if "zh_CN" in dict(self.env["res.lang"].get_installed()):
            for xml_id, name in (tier_names_zh or {}).items():
                self.env.ref(xml_id).update_field_translations("name", {"zh_CN": name})
        for holder in self.env["stored.value.card"].search([("company_id", "=", self.company_id.id)]).partner_id:
            self._member_card(holder)
        cards = self.coupon_ids
        cards._update_tiers()
        self.env["res.partner"]._compute_rfm_batch(self.env.company, fields.Date.context_today(self), 1000)
