from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Programmes whose cards are codes a member redeems once or spends down, fit to be given as an incentive.
COUPON_PROGRAM_TYPES = ("coupons", "gift_card", "next_order_coupons", "promotion")
REFERRAL_REWARDS = [("points", "Points"), ("credit", "Bonus Credit"), ("coupon", "Coupon")]


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
    # Referrals (老带新): what a member who brings a new customer, and that customer, receive.
    referral_enabled = fields.Boolean(
        string="Referrals",
        help="Members get a referral code; a new customer who signs up with it, and the member, are rewarded "
        "once the new customer's first top-up or purchase reaches the threshold.",
    )
    referral_trigger = fields.Selection(
        [("topup", "First Top-up"), ("purchase", "First Purchase"), ("either", "First Top-up or Purchase")],
        string="Rewarded On",
        default="either",
        required=True,
    )
    referral_threshold = fields.Monetary(
        string="Qualifying Amount",
        help="The referred customer's first top-up or purchase (as chosen) of at least this amount rewards both "
        "sides, once. Purchases count without the top-ups sold in them.",
    )
    referral_referrer_reward = fields.Selection(
        REFERRAL_REWARDS, string="Referrer's Reward", default="points", required=True
    )
    referral_referrer_amount = fields.Float(
        string="Referrer's Reward Amount",
        help="Points, bonus credit (in the company currency) or the coupon's value (empty: the coupon's own).",
    )
    referral_referrer_coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Referrer's Coupon Programme",
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
    )
    referral_referred_reward = fields.Selection(
        REFERRAL_REWARDS, string="Referred Customer's Reward", default="points", required=True
    )
    referral_referred_amount = fields.Float(
        string="Referred Customer's Reward Amount",
        help="Points, bonus credit (in the company currency) or the coupon's value (empty: the coupon's own).",
    )
    referral_referred_coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Referred Customer's Coupon Programme",
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
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

    @api.constrains(
        "referral_enabled",
        "referral_threshold",
        "referral_referrer_reward",
        "referral_referrer_amount",
        "referral_referrer_coupon_program_id",
        "referral_referred_reward",
        "referral_referred_amount",
        "referral_referred_coupon_program_id",
    )
    def _check_referral_rewards(self):
        for program in self.filtered("referral_enabled"):
            if program.program_type != "loyalty" or program.referral_threshold < 0:
                raise ValidationError(
                    self.env._(
                        "Programme “%(program)s”: referrals belong to a loyalty programme, with a qualifying "
                        "amount of 0 or more.",
                        program=program.name,
                    )
                )
            for side, label in (("referrer", self.env._("the referrer")), ("referred", self.env._("the referred"))):
                kind = program[f"referral_{side}_reward"]
                amount = program[f"referral_{side}_amount"]
                coupon_program = program[f"referral_{side}_coupon_program_id"]
                if kind == "coupon" and (coupon_program.program_type not in COUPON_PROGRAM_TYPES or amount < 0):
                    raise ValidationError(
                        self.env._(
                            "Programme “%(program)s”: choose the coupon or gift card programme whose coupon "
                            "%(side)s receives.",
                            program=program.name,
                            side=label,
                        )
                    )
                if kind != "coupon" and amount <= 0:
                    raise ValidationError(
                        self.env._(
                            "Programme “%(program)s”: the reward of %(side)s must be more than 0.",
                            program=program.name,
                            side=label,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        self.env["loyalty.card"]._referral_assign_codes(programs.filtered("referral_enabled"))
        return programs

    def write(self, vals):
        result = super().write(vals)
        if vals.get("referral_enabled"):
            # The members who joined before referrals were turned on get their codes now.
            self.env["loyalty.card"]._referral_assign_codes(self)
        return result

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
