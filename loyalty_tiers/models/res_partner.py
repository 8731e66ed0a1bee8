import logging
import re
from collections import Counter
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import clv_math

_logger = logging.getLogger(__name__)

BIRTHDAY_CHANGE_DAYS = 365  # a birthday moved more often would collect the birthday points every month
# A birthday typed at the counter: YYYY-MM-DD, or MM-DD when the member gives only the day and month,
# which are then kept in the leap year 1904 (so that 29 February fits): points need no year.
COUNTER_BIRTHDAY = re.compile(r"^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})$")
BIRTHDAY_WITHOUT_YEAR = 1904
# Lets Odoo's contact merge carry the date of the last birthday change over. An object, not a string:
# a context sent over RPC is JSON and cannot hold it.
_BIRTHDAY_MERGE = object()

RFM_WINDOW_MONTHS = 24  # purchases older than this do not count in the segments
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential", "Potential Loyalists"),
    ("new", "New Customers"),
    ("cant_lose", "Can't Lose Them"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
# The segment, life cycle and value fields, written by the nightly run in SQL only, and the member's tier,
# computed from their cards: never written by a user (a tier on the contact would give its pricelist).
MEMBER_FIGURES = frozenset(
    {
        "loyalty_tier_id",
        "rfm_recency_score",
        "rfm_frequency_score",
        "rfm_monetary_score",
        "rfm_segment",
        "rfm_last_order_date",
        "rfm_order_count",
        "rfm_amount",
        "rfm_date",
        "lifecycle_stage_id",
        "lifecycle_stage_date",
        "member_net_spend",
        "member_topup_amount",
        "member_margin",
        "member_average_order_value",
        "member_purchase_interval",
        "member_predicted_clv",
        "member_high_potential",
        "member_value_date",
    }
)
WEEKS_PER_MONTH = 52 / 12
# The distinct summaries the models are fitted on, more being sampled evenly: (x, t_x, T) for BG/NBD,
# (x, mean spend) for Gamma-Gamma (three parameters, nearly every buyer's figures distinct). The nightly
# fit then takes seconds whatever the number of customers, with estimates as good as the full set's.
CLV_MAX_FIT_ROWS = 5000
CLV_MAX_SPEND_FIT_ROWS = 1000


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_birthday = fields.Date(string="Birthday", help="Gives the birthday points and multiplier of the tier.")
    loyalty_birthday_changed_date = fields.Date(
        string="Birthday Changed On",
        readonly=True,
        copy=False,
        help="When the birthday was last set or changed: a member may move it once a year.",
    )
    # Member data quality: cheap flags searched as domains, duplicates found by one query.
    is_loyalty_member = fields.Boolean(
        string="Is a Member",
        compute="_compute_member_data_quality",
        search="_search_is_loyalty_member",
        help="Holds a card of a loyalty programme or an open stored-value card.",
    )
    member_data_missing_phone = fields.Boolean(
        string="Missing Phone",
        compute="_compute_member_data_quality",
        search="_search_member_data_missing_phone",
    )
    member_data_missing_birthday = fields.Boolean(
        string="Missing Birthday",
        compute="_compute_member_data_quality",
        search="_search_member_data_missing_birthday",
    )
    member_data_invalid_phone = fields.Boolean(
        string="Invalid Phone",
        compute="_compute_member_data_quality",
        search="_search_member_data_invalid_phone",
        help="A phone number that is not a valid number of the contact's country (or of the company's).",
    )
    member_data_invalid_email = fields.Boolean(
        string="Invalid Email",
        compute="_compute_member_data_quality",
        search="_search_member_data_invalid_email",
    )
    member_data_duplicate_ids = fields.Many2many(
        "res.partner",
        string="Likely Duplicates",
        compute="_compute_member_data_quality",
        help="Other active contacts of the same company with the same phone number, the same email, "
        "or the same name and birthday.",
        groups="base.group_user",
    )
    member_data_has_duplicate = fields.Boolean(
        string="Likely Duplicate",
        compute="_compute_member_data_quality",
        search="_search_member_data_has_duplicate",
    )
    member_data_issues = fields.Char(string="Data Issues", compute="_compute_member_data_quality")
    loyalty_member_card_ids = fields.One2many("loyalty.card", "partner_id", string="Loyalty Cards")
    loyalty_referral_code = fields.Char(
        string="Referral Code",
        compute="_compute_loyalty_referral_code",
        help="The member's code for bringing new customers (老带新), in the company's programme with referrals.",
    )
    loyalty_referral_url = fields.Char(string="Referral Link", compute="_compute_loyalty_referral_code")
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Member Tier",
        compute="_compute_loyalty_tier_id",
        store=True,
        index="btree_not_null",
        help="The highest tier of the member's loyalty cards.",
    )
    loyalty_points = fields.Float(compute="_compute_loyalty_status")
    loyalty_points_expiring = fields.Float(string="Points Expiring Soon", compute="_compute_loyalty_status")
    loyalty_points_expiring_date = fields.Date(string="Points Expire On", compute="_compute_loyalty_status")
    loyalty_next_tier_id = fields.Many2one("loyalty.tier", string="Next Tier", compute="_compute_loyalty_status")
    loyalty_tier_progress = fields.Float(string="Progress to Next Tier (%)", compute="_compute_loyalty_status")
    # Each company segments its own customers: the scores are company-dependent. None of the nightly figures
    # below has the index Odoo gives company-dependent fields: the nightly run rewrites them on every customer,
    # each index of res_partner makes that slower, and nearly every customer has them, so a search (a segment, a
    # stage) gains little from an index of the rows that have one.
    rfm_recency_score = fields.Integer(
        string="Recency Score", company_dependent=True, index=False, readonly=True, groups="base.group_user"
    )
    rfm_frequency_score = fields.Integer(
        string="Frequency Score", company_dependent=True, index=False, readonly=True, groups="base.group_user"
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary Score", company_dependent=True, index=False, readonly=True, groups="base.group_user"
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="Value Segment",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="base.group_user",
    )
    rfm_last_order_date = fields.Date(
        string="Last Purchase", company_dependent=True, index=False, readonly=True, groups="base.group_user"
    )
    rfm_order_count = fields.Integer(
        string="Purchases", company_dependent=True, index=False, readonly=True, groups="base.group_user"
    )
    rfm_amount = fields.Float(
        string="Purchased Amount",
        company_dependent=True,
        index=False,
        readonly=True,
        groups="base.group_user",
        help="In the company currency.",
    )
    rfm_currency_id = fields.Many2one("res.currency", compute="_compute_rfm_currency_id", groups="base.group_user")
    rfm_date = fields.Date(string="Segmented On", compute="_compute_night_dates", groups="base.group_user")
    # The member's life cycle stage and value in each company, computed by the same nightly run as the
    # segments (see "Life cycle and value" below); nobody writes them by hand.
    lifecycle_stage_id = fields.Many2one(
        "loyalty.lifecycle.stage",
        string="Life Cycle Stage",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    lifecycle_stage_date = fields.Date(
        string="Stage Since", company_dependent=True, index=False, readonly=True, copy=False, groups="base.group_user"
    )
    lifecycle_history_count = fields.Integer(
        compute="_compute_lifecycle_history_count", groups="loyalty_tiers.group_loyalty_tier_user"
    )
    member_net_spend = fields.Float(
        string="Net Spend",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Everything the member bought from the company, returns deducted, in the company currency.",
    )
    member_topup_amount = fields.Float(
        string="Topped Up",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Principal of the member's stored-value top-ups (reversed top-ups deducted), bonus not included.",
    )
    member_margin = fields.Float(
        string="Margin",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Margin of the member's point of sale orders whose costs are known; invoices have none.",
    )
    member_average_order_value = fields.Float(
        string="Average Order Value",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    member_purchase_interval = fields.Float(
        string="Purchase Interval (days)",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Average number of days between two days of purchase; empty for a member who bought on one day.",
    )
    member_predicted_clv = fields.Float(
        string="Predicted Lifetime Value",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="What the member is expected to spend over the company's horizon (BG/NBD and Gamma-Gamma models "
        "fitted every night on the company's customers); empty when there are too few customers to fit them.",
    )
    member_high_potential = fields.Boolean(
        string="High Potential",
        company_dependent=True,
        index=False,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The predicted lifetime value is in the company's top share while the member's tier is below the top "
        "tier of its programme.",
    )
    member_value_date = fields.Date(string="Valued On", compute="_compute_night_dates", groups="base.group_user")

    @api.depends("loyalty_member_card_ids.tier_id", "loyalty_member_card_ids.active")
    def _compute_loyalty_tier_id(self):
        for partner in self:
            tiers = partner.loyalty_member_card_ids.filtered("active").tier_id
            partner.loyalty_tier_id = tiers.sorted(lambda tier: (tier.sequence, tier.id))[-1:]

    @api.depends("loyalty_tier_id")
    @api.depends_context("company")
    def _compute_loyalty_status(self):
        cards = self.env["loyalty.card"]._member_cards(self._origin, self.env.company)
        for partner in self:
            card = cards.filtered(lambda card, partner=partner: card.partner_id == partner._origin).sorted(
                lambda card: (card.tier_id.sequence, card.id)
            )[-1:]
            partner.loyalty_points = card.points
            partner.loyalty_points_expiring = card.points_expiring
            partner.loyalty_points_expiring_date = card.points_expiring_date
            partner.loyalty_next_tier_id = card.next_tier_id
            partner.loyalty_tier_progress = card.tier_progress

    @api.depends_context("company")
    def _compute_night_dates(self):
        """The day of the last nightly run that segmented (valued) the customer in the current company."""
        Progress = self.env["loyalty.night.progress"]
        company = self.env.company
        for fname, job, figure in (
            ("rfm_date", "rfm", "rfm_segment"),
            ("member_value_date", "lifecycle", "lifecycle_stage_id"),
        ):
            done = self.filtered(figure)
            dates = Progress._last_dates(job, company, done._origin.ids)
            for partner in self:
                partner[fname] = dates.get(partner._origin.id, False)

    @api.depends_context("company")
    def _compute_rfm_currency_id(self):
        self.rfm_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_lifecycle_history_count(self):
        counts = dict(
            self.env["loyalty.lifecycle.history"]._read_group(
                [("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.lifecycle_history_count = counts.get(partner, 0)

    @api.depends("loyalty_tier_id.pricelist_id")
    def _compute_product_pricelist(self):
        """A member's tier gives its pricelist, unless the member was given a pricelist of their own."""
        result = super()._compute_product_pricelist()
        company = self.env.company
        # The company's default pricelist is everybody's, not a member's own.
        company_default = self.env["ir.default"]._get(
            "res.partner", "specific_property_product_pricelist", company_id=company.id
        )
        for partner in self:
            pricelist = partner.loyalty_tier_id.pricelist_id
            own = partner.with_company(company).specific_property_product_pricelist
            if pricelist and pricelist.company_id in (company, company.browse()) and own.id in (False, company_default):
                partner.property_product_pricelist = pricelist
        return result

    # ------------------------------------------------------------------
    # Birthday: set freely once, then moved at most once a year
    # ------------------------------------------------------------------

    def _loyalty_birthday_trusted(self):
        return self.env.su or self.env.context.get("loyalty_birthday_merge") is _BIRTHDAY_MERGE

    def _loyalty_check_birthday_change(self, birthday):
        """Refuse to move a birthday set or changed less than a year ago; setting an empty one is free.

        The portal calls it before writing in sudo; ``write`` calls it for everybody else. Loyalty tier
        managers may correct a birthday at any time (the change date is still recorded).
        """
        if self.env.user.has_group("loyalty_tiers.group_loyalty_tier_manager"):
            return
        today = fields.Date.context_today(self)
        for partner in self:
            changed = partner.loyalty_birthday_changed_date
            if (
                partner.loyalty_birthday
                and birthday != partner.loyalty_birthday
                and changed
                and changed > today - timedelta(days=BIRTHDAY_CHANGE_DAYS)
            ):
                raise UserError(
                    self.env._(
                        "The birthday of %(name)s was changed on %(date)s: it can be changed again from "
                        "%(next)s. Please contact us if it is wrong.",
                        name=partner.display_name,
                        date=fields.Date.to_string(changed),
                        next=fields.Date.to_string(changed + timedelta(days=BIRTHDAY_CHANGE_DAYS)),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """A birthday given with the contact counts as set today: it moves again in a year."""
        trusted = self._loyalty_birthday_trusted()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            self._check_member_figures_untouched(vals)
            if "loyalty_birthday_changed_date" in vals and not trusted:
                raise AccessError(
                    self.env._("The date of a birthday change is recorded by the birthday change itself.")
                )
            if vals.get("loyalty_birthday"):
                vals.setdefault("loyalty_birthday_changed_date", today)
        return super().create(vals_list)

    def _check_member_figures_untouched(self, vals):
        """The tier, segment, life cycle stage and value figures are computed by the suite only.

        Odoo's contact merge copies every field onto the kept contact: that copy may pass.
        """
        refused = sorted(set(vals) & MEMBER_FIGURES)
        if refused and not self.env.su and self.env.context.get("loyalty_birthday_merge") is not _BIRTHDAY_MERGE:
            raise AccessError(
                self.env._(
                    "%(fields)s of a contact are computed from their cards and purchases, never set by hand.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in refused),
                )
            )

    def write(self, vals):
        if self:  # an empty write stays a no-op: Odoo's contact merge writes every model
            self._check_member_figures_untouched(vals)
        if not self or not ({"loyalty_birthday", "loyalty_birthday_changed_date"} & set(vals)):
            return super().write(vals)
        trusted = self._loyalty_birthday_trusted()
        if "loyalty_birthday_changed_date" in vals and not trusted:
            raise AccessError(self.env._("The date of a birthday change is recorded by the birthday change itself."))
        changed = self.browse()
        if "loyalty_birthday" in vals:
            birthday = fields.Date.to_date(vals["loyalty_birthday"])
            changed = self.filtered(lambda partner: partner.loyalty_birthday != birthday)
            if not trusted:
                changed._loyalty_check_birthday_change(birthday)
        result = super().write(vals)
        if changed and "loyalty_birthday_changed_date" not in vals:
            super(ResPartner, changed).write({"loyalty_birthday_changed_date": fields.Date.context_today(self)})
        return result

    # ------------------------------------------------------------------
    # A member opened at the counter gives their birthday
    # ------------------------------------------------------------------

    @api.model
    def _stored_value_member_keys(self):
        return super()._stored_value_member_keys() | {"birthday", "referral_code"}

    @api.model
    def _stored_value_member_values(self, values, company):
        member = super()._stored_value_member_values(values, company)
        member["partner"]["loyalty_birthday"] = self._loyalty_counter_birthday(values.get("birthday"))
        code = values.get("referral_code") or None
        if code is not None and not isinstance(code, str):
            raise UserError(self.env._("%(code)s is not a referral code.", code=str(code)[:40]))
        member["referral_code"] = code and code.strip()
        return member

    @api.model
    def _stored_value_open_member(self, member, key, config, pin=None, customer=None):
        """A member opened at the counter joins the programmes with referrals (their first receipt prints their
        own code), and, opened with the code of the member who brought them, records the referral."""
        company = config.company_id
        code = member.get("referral_code")
        # Looked up before the card is opened: the card this request opens does not make a customer existing.
        existing = customer._loyalty_is_existing_customer(company) if code and customer else None
        partner, card = super()._stored_value_open_member(member, key, config, pin=pin, customer=customer)
        # sudo: which programmes have referrals is the server's to know; the member's card is issued to them.
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("referral_enabled", "=", True),
                    ("program_type", "=", "loyalty"),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        for program in programs:
            program._member_card(partner)
        if code:
            if existing is None:  # a new contact, maybe of someone known by their email
                existing = partner._loyalty_is_existing_customer(company, ignore=partner)
            self.env["loyalty.referral"]._refer(code, partner, "pos", company, f"{key}/referral", existing)
        return partner, card

    def _loyalty_same_person(self):
        """This customer's contacts: their company and its contacts, and the contacts with their email or
        mobile (a customer signing up on the portal gets a new contact, but is still who they were)."""
        self.ensure_one()
        partners = self.commercial_partner_id | self.commercial_partner_id.child_ids | self
        domain = Domain.FALSE
        if self.email_normalized:
            domain |= Domain("email_normalized", "=", self.email_normalized)
        if self.phone_sanitized:
            domain |= Domain("phone_sanitized", "=", self.phone_sanitized)
        if not domain.is_false():
            # sudo: only whether other contacts share the number or address counts, never what they hold.
            partners |= self.sudo().with_context(active_test=False).search(domain).sudo(False)
        return partners

    def _loyalty_is_existing_customer(self, company, ignore=None):
        """Whether this customer (but the contacts ``ignore``) already had a card (stored-value or loyalty)
        or a purchase at ``company``."""
        self.ensure_one()
        partners = self._loyalty_same_person() - (ignore or self.browse())
        # sudo: whether the customer bought before is a yes or no, whoever serves them.
        env = self.env(su=True)
        company_domain = [("company_id", "in", [False, company.id])]
        return bool(
            env["stored.value.card"].search_count([("partner_id", "in", partners.ids), *company_domain], limit=1)
            or env["loyalty.card"]
            .with_context(active_test=False)
            .search_count(
                [("partner_id", "in", partners.ids), ("program_id.program_type", "=", "loyalty"), *company_domain],
                limit=1,
            )
            or env["pos.order"].search_count(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "in", ("paid", "done")),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
            or env["account.move"].search_count(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "posted"),
                    ("move_type", "=", "out_invoice"),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )

    @api.depends_context("company")
    def _compute_loyalty_referral_code(self):
        # sudo: a member's own referral code is shown wherever the member is (receipt, statement, portal).
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self._origin.ids),
                    ("referral_code", "!=", False),
                    ("program_id.referral_enabled", "=", True),
                    ("company_id", "in", [False, self.env.company.id]),
                ],
                order="id",
            )
        )
        for partner in self:
            card = cards.filtered(lambda card, partner=partner: card.partner_id == partner._origin)[:1]
            partner.loyalty_referral_code = card.referral_code
            partner.loyalty_referral_url = card.referral_url

    @api.model
    def _loyalty_counter_birthday(self, typed):
        """The birthday typed at the counter (``YYYY-MM-DD``, or ``MM-DD`` without the year) as a date."""
        if not typed:
            return False
        match = COUNTER_BIRTHDAY.match(typed.strip()) if isinstance(typed, str) else None
        try:
            if not match:
                raise ValueError(typed)
            year = int(match[1]) if match[1] else BIRTHDAY_WITHOUT_YEAR
            birthday = date(year, int(match[2]), int(match[3]))
            if year < 1900 or birthday > fields.Date.context_today(self):
                raise ValueError(typed)
        except ValueError:
            raise UserError(
                self.env._(
                    "%(birthday)s is not a birthday: type the month and day (MM-DD), with the year before them "
                    "if the member gives it (YYYY-MM-DD).",
                    birthday=str(typed)[:40],
                )
            ) from None
        return birthday

    # ------------------------------------------------------------------
    # Member data quality
    # ------------------------------------------------------------------

    def _member_sql(self, alias):
        """A condition true for the partner ``alias`` who holds a loyalty card or an open stored-value card."""
        return SQL(
            """(EXISTS (SELECT 1 FROM loyalty_card card JOIN loyalty_program program ON program.id = card.program_id
                         WHERE card.partner_id = %(partner)s AND card.active AND program.program_type = 'loyalty')
                OR EXISTS (SELECT 1 FROM stored_value_card wallet
                            WHERE wallet.partner_id = %(partner)s AND wallet.state != 'closed'))""",
            partner=SQL.identifier(alias, "id"),
        )

    def _member_duplicate_pairs(self, partner_ids=None):
        """``{partner id: other partner ids}`` of the members (of ``partner_ids``, or all) with likely duplicates.

        Another active contact of the same company (or both shared) is a likely duplicate if it has the same
        sanitized phone, the same normalized email, or the same name (any case) and birthday; a parent and its
        own contacts are not. One query for the whole set.
        """
        self._member_flush_duplicate_fields()
        self.env.cr.execute(self._member_duplicates_sql(partner_ids))
        return dict(self.env.cr.fetchall())

    def _member_flush_duplicate_fields(self):
        self.env["res.partner"].flush_model(
            ["phone_sanitized", "email_normalized", "name", "loyalty_birthday", "company_id", "active", "parent_id"]
        )
        self.env["loyalty.card"].flush_model(["partner_id", "active", "program_id"])
        self.env["stored.value.card"].flush_model(["partner_id", "state"])

    def _member_duplicates_sql(self, partner_ids=None):
        """The query of :meth:`_member_duplicate_pairs`: rows ``(member id, array of its likely duplicates)``."""
        restrict = SQL("AND member.id IN %s", tuple(partner_ids)) if partner_ids is not None else SQL()
        return SQL(
            """WITH member AS (
                        SELECT member.id, member.company_id, member.parent_id, member.phone_sanitized,
                               member.email_normalized, lower(trim(member.name)) AS name, member.loyalty_birthday
                          FROM res_partner member
                         WHERE member.active %(restrict)s AND %(is_member)s
                    ), pairs AS (
                        SELECT member.id, other.id AS other_id, member.company_id, member.parent_id,
                               other.company_id AS other_company_id, other.parent_id AS other_parent_id
                          FROM member JOIN res_partner other ON other.phone_sanitized = member.phone_sanitized
                         WHERE member.phone_sanitized IS NOT NULL AND other.active
                        UNION
                        SELECT member.id, other.id, member.company_id, member.parent_id, other.company_id,
                               other.parent_id
                          FROM member JOIN res_partner other ON other.email_normalized = member.email_normalized
                         WHERE member.email_normalized IS NOT NULL AND other.active
                        UNION
                        SELECT member.id, other.id, member.company_id, member.parent_id, other.company_id,
                               other.parent_id
                          FROM member JOIN res_partner other ON other.loyalty_birthday = member.loyalty_birthday
                                                              AND lower(trim(other.name)) = member.name
                         WHERE member.loyalty_birthday IS NOT NULL AND other.active
                    )
                SELECT id, array_agg(DISTINCT other_id ORDER BY other_id)
                  FROM pairs
                 WHERE other_id != id AND other_company_id IS NOT DISTINCT FROM company_id
                   AND other_parent_id IS DISTINCT FROM id AND parent_id IS DISTINCT FROM other_id
                 GROUP BY id""",
            restrict=restrict,
            is_member=self._member_sql("member"),
        )

    @api.depends("phone", "phone_sanitized", "email", "email_normalized", "loyalty_birthday", "name")
    def _compute_member_data_quality(self):
        partners = self.filtered("id")
        members = set(partners.search([("id", "in", partners.ids), ("is_loyalty_member", "=", True)]).ids)
        duplicates = self._member_duplicate_pairs(partners.ids) if partners else {}
        labels = {
            "member_data_missing_phone": self.env._("Missing phone"),
            "member_data_missing_birthday": self.env._("Missing birthday"),
            "member_data_invalid_phone": self.env._("Invalid phone"),
            "member_data_invalid_email": self.env._("Invalid email"),
            "member_data_has_duplicate": self.env._("Likely duplicate"),
        }
        for partner in self:
            partner.is_loyalty_member = partner.id in members
            partner.member_data_missing_phone = not partner.phone
            partner.member_data_missing_birthday = not partner.loyalty_birthday
            partner.member_data_invalid_phone = bool(partner.phone and not partner.phone_sanitized)
            partner.member_data_invalid_email = bool(partner.email and not partner.email_normalized)
            partner.member_data_duplicate_ids = [fields.Command.set(duplicates.get(partner.id, []))]
            partner.member_data_has_duplicate = bool(duplicates.get(partner.id))
            partner.member_data_issues = ", ".join(label for name, label in labels.items() if partner[name])

    def _search_flag(self, operator, domain):
        # Odoo 19 asks a boolean for ``in`` (true) or ``not in`` (false) and negates the rest itself.
        if operator not in ("in", "not in"):
            return NotImplemented
        return Domain(domain) if operator == "in" else ~Domain(domain)

    def _search_is_loyalty_member(self, operator, value):
        self.env["loyalty.card"].flush_model(["partner_id", "active", "program_id"])
        self.env["stored.value.card"].flush_model(["partner_id", "state"])
        query = SQL("SELECT partner.id FROM res_partner partner WHERE %s", self._member_sql("partner"))
        return self._search_flag(operator, [("id", "in", SQL("(%s)", query))])

    def _search_member_data_missing_phone(self, operator, value):
        return self._search_flag(operator, [("phone", "=", False)])

    def _search_member_data_missing_birthday(self, operator, value):
        return self._search_flag(operator, [("loyalty_birthday", "=", False)])

    def _search_member_data_invalid_phone(self, operator, value):
        return self._search_flag(operator, [("phone", "!=", False), ("phone_sanitized", "=", False)])

    def _search_member_data_invalid_email(self, operator, value):
        return self._search_flag(operator, [("email", "!=", False), ("email_normalized", "=", False)])

    def _search_member_data_has_duplicate(self, operator, value):
        # One sub-query in the search, not every pair read into Python first.
        self._member_flush_duplicate_fields()
        duplicated = Domain.custom(
            to_sql=lambda model, alias, query: SQL(
                "%s IN (SELECT duplicated.id FROM (%s) duplicated)",
                SQL.identifier(alias, "id"),
                self._member_duplicates_sql(),
            )
        )
        return self._search_flag(operator, duplicated)

    def action_merge_member_duplicates(self):
        """Open Odoo's contact merge on the selected contacts, or on one member and its likely duplicates
        (at most 3, as many as Odoo merges at once)."""
        partners = self if len(self) > 1 else self | self.member_data_duplicate_ids
        if len(partners) < 2:
            raise UserError(self.env._("%(name)s has no likely duplicate to merge.", name=self.display_name))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Duplicates"),
            "res_model": "base.partner.merge.automatic.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "res.partner", "active_ids": partners.ids[:3]},
        }

    @api.model
    def loyalty_pos_member_status(self, partner_ids, field_names):
        """``field_names`` of the members ``partner_ids``, for the receipt of the order the terminal synced.

        The order's sync only marked the members' tiers due for review (``loyalty.card._mark_tiers_due``):
        they are reviewed here first, so the receipt shows the tier the purchase reached. The figures are
        read as the caller, with the caller's rights.
        """
        if (
            not isinstance(partner_ids, list)
            or not all(isinstance(partner_id, int) for partner_id in partner_ids)
            or not isinstance(field_names, list)
            or not all(isinstance(name, str) for name in field_names)
        ):
            raise UserError(self.env._("The terminal asked for the figures of its members in a malformed request."))
        partners = self.browse(partner_ids).exists()
        partners.check_access("read")
        # sudo: the review is the system's, whoever's terminal asks for it (it only reviews due cards).
        self.env["loyalty.card"].sudo()._review_due_tiers(partners)
        return partners.read(field_names, load=None)

    @api.model
    def _load_pos_data_fields(self, config):
        return [
            *super()._load_pos_data_fields(config),
            "loyalty_tier_id",
            "loyalty_points",
            "loyalty_points_expiring",
            "loyalty_points_expiring_date",
            "loyalty_next_tier_id",
            "loyalty_tier_progress",
            "loyalty_referral_code",
            "loyalty_referral_url",
        ]

    # ------------------------------------------------------------------
    # RFM segments
    # ------------------------------------------------------------------

    def _rfm_scores_sql(self, company, today, window_months):
        """The RFM scores of every customer of ``company`` who bought in the window, as one query.

        Purchases are paid POS orders and posted customer invoices (an invoiced POS order counts once).
        Each score is the customer's quintile (5: best) among all of them; equal figures score the same.
        """
        cutoff = today - relativedelta(months=window_months)
        return SQL(
            """WITH purchases AS (%(purchases)s), totals AS (
                    SELECT partner_id, MAX(date) AS last_date, COUNT(*) FILTER (WHERE amount > 0) AS frequency,
                           SUM(amount) AS amount
                      FROM purchases WHERE partner_id IS NOT NULL GROUP BY partner_id
                ), scores AS (
                    SELECT partner_id, last_date, frequency, amount,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY last_date))::int AS recency,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY frequency))::int AS frequency_score,
                           CEIL(5 * CUME_DIST() OVER (ORDER BY amount))::int AS monetary
                      FROM totals
                )
                SELECT partner_id, last_date, frequency, amount, recency, frequency_score, monetary,
                       CASE WHEN recency >= 4 AND (frequency_score + monetary) >= 8 THEN 'champions'
                            WHEN recency >= 3 AND (frequency_score + monetary) >= 6 THEN 'loyal'
                            WHEN recency >= 4 AND frequency <= 1 THEN 'new'
                            WHEN recency >= 3 THEN 'potential'
                            WHEN recency = 1 AND (frequency_score + monetary) >= 8 THEN 'cant_lose'
                            WHEN (frequency_score + monetary) >= 6 THEN 'at_risk'
                            WHEN recency = 2 THEN 'hibernating'
                            ELSE 'lost' END AS segment
                  FROM scores""",
            purchases=self._loyalty_purchases_sql(company, cutoff),
        )

    def _loyalty_purchases_sql(self, company=None, since=None, margin=False, pos_config=False):
        """The customers' purchases as a query of ``company_id, partner_id, date, amount`` rows (and ``margin``,
        ``pos_config_id``).

        Purchases are paid POS orders and posted customer invoices and refunds (an invoiced POS order counts
        once, as its order; the card top-ups it sold are not bought, what the card pays for is), each for the
        buyer's commercial partner, on the day it was in the company's time
        zone, the amount in the company's currency (negative for a refund). Only ``company``'s, and from
        ``since`` on, when given: the purchases the
        value segments (:meth:`_rfm_scores_sql`), the member figures and the member reports count.
        ``margin`` adds the margin, known for POS orders whose line costs are all computed (Odoo 19
        computes them when the order or its session closes), empty for invoices. ``pos_config`` adds the
        point of sale of a POS order, empty for invoices.
        """
        Report = self.env["stored.value.report.mixin"]
        pos_conditions = [SQL("pos.state IN ('paid', 'done')")]
        move_conditions = [SQL("move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')")]
        if company:
            pos_conditions.append(SQL("pos.company_id = %s", company.id))
            move_conditions.append(SQL("move.company_id = %s", company.id))
        if since:
            pos_conditions.append(
                SQL("pos.date_order >= (%s::timestamp AT TIME ZONE zone.tz AT TIME ZONE 'UTC')", since)
            )
            move_conditions.append(SQL("move.invoice_date >= %s", since))
        pos_margin = move_margin = SQL("")
        if margin:
            pos_margin = SQL(
                """, (SELECT CASE WHEN BOOL_AND(line.is_total_cost_computed)
                                 THEN SUM(line.price_subtotal - COALESCE(line.total_cost, 0)) END
                       FROM pos_order_line line
                       JOIN product_product product ON product.id = line.product_id
                       JOIN product_template template ON template.id = product.product_tmpl_id
                      WHERE line.order_id = pos.id AND NOT COALESCE(template.stored_value_top_up, FALSE))
                    / COALESCE(NULLIF(pos.currency_rate, 0), 1) AS margin"""
            )
            move_margin = SQL(", NULL::numeric")
        pos_store = move_store = SQL("")
        if pos_config:
            pos_store = SQL(", pos.config_id AS pos_config_id")
            move_store = SQL(", NULL::int")
        return SQL(
            """SELECT pos.company_id, buyer.commercial_partner_id AS partner_id, %(pos_day)s::date AS date,
                      (pos.amount_total - pos.stored_value_top_up_amount)
                      / COALESCE(NULLIF(pos.currency_rate, 0), 1) AS amount
                      %(pos_margin)s %(pos_store)s
                 FROM pos_order pos JOIN res_partner buyer ON buyer.id = pos.partner_id
                 JOIN (%(zones)s) zone ON zone.company_id = pos.company_id
                WHERE %(pos_conditions)s
               UNION ALL
               SELECT move.company_id, move.commercial_partner_id, move.invoice_date, move.amount_total_signed
                      %(move_margin)s %(move_store)s
                 FROM account_move move
                WHERE %(move_conditions)s
                  AND NOT EXISTS (SELECT 1 FROM pos_order invoiced WHERE invoiced.account_move = move.id)""",
            pos_day=Report._local_sql(SQL("pos.date_order"), SQL("zone.tz")),
            zones=Report._company_zones_sql(),
            pos_conditions=SQL(" AND ").join(pos_conditions),
            move_conditions=SQL(" AND ").join(move_conditions),
            pos_margin=pos_margin,
            move_margin=move_margin,
            pos_store=pos_store,
            move_store=move_store,
        )

    def _rfm_snapshot_name(self, company, today, window_months):
        return f"rfm_scores_{company.id}_{today:%Y%m%d}_{window_months}"

    def _rfm_snapshot(self, company, today, window_months):
        """A temporary table of the customers to segment today, with their scores, made once per run.

        It holds every customer scored in the window and every customer segmented before in ``company``
        (without scores: they are lost now), by ``partner_id``: each batch reads its rows as a range of
        that index, so a batch costs its own rows whatever the population.
        """
        return self._member_snapshot(
            self._rfm_snapshot_name(company, today, window_months),
            SQL(
                """SELECT COALESCE(scores.partner_id, segmented.id) AS partner_id, scores.last_date,
                          scores.frequency, scores.amount, scores.recency, scores.frequency_score,
                          scores.monetary, scores.segment
                     FROM (%(scores)s) scores
                     FULL JOIN (SELECT id FROM res_partner WHERE rfm_segment->>%(key)s IS NOT NULL) segmented
                            ON segmented.id = scores.partner_id""",
                scores=self._rfm_scores_sql(company, today, window_months),
                key=str(company.id),
            ),
        )

    def _member_snapshot(self, name, query):
        """The temporary table ``name`` of the rows of ``query``, indexed by ``partner_id``; made by the first
        batch of a run, read by the others (the nightly figures are computed once per run, not per batch)."""
        table = SQL.identifier(name)
        self.env.cr.execute(SQL("SELECT to_regclass(%s)", f"pg_temp.{name}"))
        if not self.env.cr.fetchone()[0]:
            # One statement a night over every purchase: compiling it would cost more than it saves.
            self.env.cr.execute("SET LOCAL jit = off")
            self.env.cr.execute(SQL("CREATE TEMPORARY TABLE %s AS %s", table, query))
            self.env.cr.execute(SQL("CREATE INDEX ON %s (partner_id)", table))
            self.env.cr.execute(SQL("ANALYZE %s", table))
        return table

    def _compute_rfm_batch(self, company, today, batch_size, after_id=0, window_months=RFM_WINDOW_MONTHS):
        """Score the next ``batch_size`` customers of ``company`` by id after ``after_id``; return how many and
        the last id scored.

        Customers who bought in the window are scored; those segmented before who no longer did are
        lost. Only the customers whose scores change are written, for ``company`` only, in the
        company-dependent columns: a night where nobody moves rewrites no contact.
        """
        key = str(company.id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH rfm AS (
                        SELECT scores.* FROM %(scores)s scores
                         WHERE scores.partner_id > %(after)s ORDER BY scores.partner_id LIMIT %(limit)s
                    ),
                    updated AS (  -- run by PostgreSQL whether or not the query below reads it
                        UPDATE res_partner partner SET %(values)s
                          FROM rfm WHERE partner.id = rfm.partner_id AND %(changed)s
                    )
                SELECT COUNT(*), MAX(partner_id) FROM rfm""",
                scores=self._rfm_snapshot(company, today, window_months),
                after=after_id,
                limit=batch_size,
                **self._company_values_sql(
                    key,
                    {
                        "rfm_recency_score": SQL("COALESCE(rfm.recency, 0)"),
                        "rfm_frequency_score": SQL("COALESCE(rfm.frequency_score, 0)"),
                        "rfm_monetary_score": SQL("COALESCE(rfm.monetary, 0)"),
                        "rfm_segment": SQL("COALESCE(rfm.segment, 'lost')"),
                        "rfm_last_order_date": SQL(
                            "COALESCE(rfm.last_date::text, partner.rfm_last_order_date->>%s)", key
                        ),
                        "rfm_order_count": SQL("COALESCE(rfm.frequency, 0)"),
                        "rfm_amount": SQL("COALESCE(rfm.amount, 0)"),
                    },
                ),
            )
        )
        count, last_id = self.env.cr.fetchone()
        self.invalidate_model(
            [
                "rfm_recency_score",
                "rfm_frequency_score",
                "rfm_monetary_score",
                "rfm_segment",
                "rfm_last_order_date",
                "rfm_order_count",
                "rfm_amount",
            ]
        )
        return count, last_id or after_id

    @api.model
    def _cron_compute_rfm(self, batch_size=1000):
        """Segment the customers of every company (the current one first) by recency, frequency and amount,
        then stage and value them, in committed batches."""
        today = fields.Date.context_today(self)
        others = self.env["res.company"].sudo().search([("id", "!=", self.env.company.id)])
        for company in self.env.company | others:
            for done in self._compute_member_segment_batches(company, today, batch_size):
                if not self.env["ir.cron"]._commit_progress(done):
                    return

    def _compute_member_segment_batches(self, company, today, batch_size):
        """Compute the nightly figures of ``company``'s customers batch by batch, yielding how many each did.

        RFM segments first, then the life cycle stages and value figures, then the predicted lifetime
        value; the caller commits between batches (a run stopped there resumes with the next one).
        """
        yield from self._batches_by_id("rfm", self._compute_rfm_batch, company, today, batch_size)
        snapshot = self._rfm_snapshot_name(company, today, RFM_WINDOW_MONTHS)
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(snapshot)))
        yield from self._batches_by_id("lifecycle", self._compute_lifecycle_batch, company, today, batch_size)
        if done := self._compute_member_clv(company, today):
            yield done
        snapshot = self._member_figures_snapshot_name(company, today)
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(snapshot)))

    @api.model
    def _batches_by_id(self, job, compute_batch, company, today, batch_size):
        """Run ``compute_batch(company, today, batch_size, after_id)`` over ``company``'s customers, each batch
        going on from the last id the one before did, and yield how many each batch did.

        Each batch records the last id it did in the nightly ``job``'s progress, in its own transaction: a
        run killed midway resumes after it, and a run of a day that went through does nothing again.
        """
        Progress = self.env["loyalty.night.progress"]
        progress = Progress._of(job, company)
        if progress.run_date == today and progress.done_date == today:
            return
        after_id = Progress._reached(job, today, company)
        while True:
            done, after_id = compute_batch(company, today, batch_size, after_id)
            Progress._record(job, today, after_id, company, done=not done)
            if not done:
                return
            yield done

    # ------------------------------------------------------------------
    # Life cycle and value
    # ------------------------------------------------------------------

    def _lifecycle_stage_partners_sql(self, company, stages):
        """The ids of the partners at one of ``stages`` in ``company``, as a subquery for a domain.

        In SQL rather than a domain on the company-dependent field, which would read the stage of the
        current user's company: follow-up plans and invitation rules target their own company's.
        """
        return SQL(
            "SELECT id FROM res_partner WHERE (lifecycle_stage_id->>%s)::int IN %s",
            str(company.id),
            tuple(stages.ids) or (None,),
        )

    def _member_figures_sql(self, company, today):
        """The purchase figures of every customer and member of ``company`` on ``today``, as one query.

        One row per commercial partner who bought from the company, topped up one of its stored-value
        cards, or holds one of its loyalty or open stored-value cards (``is_member``). A purchase day is
        a day with a positive purchase; orders are positive purchases; the net spend deducts returns.
        """
        period = company.loyalty_lifecycle_growth_days
        return SQL(
            """WITH purchases AS (
                    SELECT purchase.*,
                           MIN(date) FILTER (WHERE amount > 0) OVER (PARTITION BY partner_id) AS first_buy
                      FROM (%(purchases)s) purchase WHERE partner_id IS NOT NULL AND date <= %(today)s
                ),
                totals AS (
                    SELECT partner_id,
                           SUM(amount) AS net_spend,
                           SUM(amount) FILTER (WHERE amount > 0) AS gross_spend,
                           SUM(amount) FILTER (WHERE amount > 0 AND date > first_buy) AS repeat_spend,
                           COUNT(*) FILTER (WHERE amount > 0) AS order_count,
                           SUM(margin) AS margin,
                           MIN(date) FILTER (WHERE amount > 0) AS first_date,
                           MAX(date) FILTER (WHERE amount > 0) AS last_date,
                           COUNT(DISTINCT date) FILTER (WHERE amount > 0) AS purchase_days,
                           COALESCE(SUM(amount) FILTER (WHERE date > %(today)s::date - %(period)s), 0) AS recent_spend,
                           COALESCE(SUM(amount) FILTER (WHERE date > %(today)s::date - 2 * %(period)s
                                                          AND date <= %(today)s::date - %(period)s), 0)
                               AS previous_spend
                      FROM purchases GROUP BY partner_id
                ),
                topups AS (
                    SELECT holder.commercial_partner_id AS partner_id, SUM(entry.principal_amount) AS topup_amount
                      FROM stored_value_ledger entry
                      JOIN res_partner holder ON holder.id = entry.partner_id
                      LEFT JOIN stored_value_ledger reversed ON reversed.id = entry.reversed_entry_id
                     WHERE entry.company_id = %(company)s AND entry.date::date <= %(today)s
                       AND (entry.entry_type = 'topup'
                            OR (entry.entry_type = 'reversal' AND reversed.entry_type = 'topup'))
                     GROUP BY holder.commercial_partner_id
                ),
                members AS (
                    SELECT holder.commercial_partner_id AS partner_id
                      FROM loyalty_card card
                      JOIN loyalty_program program ON program.id = card.program_id
                      JOIN res_partner holder ON holder.id = card.partner_id
                     WHERE card.active AND program.program_type = 'loyalty'
                       AND (program.company_id = %(company)s OR program.company_id IS NULL)
                    UNION
                    SELECT holder.commercial_partner_id
                      FROM stored_value_card wallet JOIN res_partner holder ON holder.id = wallet.partner_id
                     WHERE wallet.state != 'closed' AND wallet.company_id = %(company)s
                )
                SELECT partner_id, net_spend, order_count, margin, first_date, last_date, purchase_days,
                       recent_spend, previous_spend, COALESCE(topup_amount, 0) AS topup_amount,
                       members.partner_id IS NOT NULL AS is_member,
                       gross_spend / NULLIF(order_count, 0) AS average_order_value,
                       repeat_spend / NULLIF(purchase_days - 1, 0) AS repeat_day_spend,
                       CASE WHEN purchase_days > 1
                            THEN (last_date - first_date)::float / (purchase_days - 1) END AS purchase_interval
                  FROM totals FULL JOIN topups USING (partner_id) FULL JOIN members USING (partner_id)""",
            purchases=self._loyalty_purchases_sql(company, margin=True),
            company=company.id,
            today=today,
            period=period,
        )

    def _member_figures_snapshot_name(self, company, today):
        return f"member_figures_{company.id}_{today:%Y%m%d}"

    def _member_figures_snapshot(self, company, today):
        """A temporary table of today's figures, computed once per run instead of once per batch."""
        return self._member_snapshot(
            self._member_figures_snapshot_name(company, today), self._member_figures_sql(company, today)
        )

    def _lifecycle_stage_sql(self, company, today):
        """The code of the stage of the row ``todo`` (figures, ``old_code`` and ``old_since``), first rule first.

        - no purchase: *prospect* when the partner holds a card of the company (else no stage);
        - *lost* / *dormant*: no purchase for the company's lost / dormant days;
        - *won back*: bought on or after the day they became dormant or lost, for the won-back days;
        - *new*: first purchase less than the new days ago;
        - *at risk*: last purchase older than their usual interval × the factor, and than the minimum days
          (members who bought on one day only: the minimum days);
        - *growing*: spent over the last trend period more than the period before (which must not be
          empty) by the increase percentage;
        - *active*: everybody else who bought.
        """
        return SQL(
            """CASE WHEN todo.last_date IS NULL THEN CASE WHEN todo.is_member THEN 'prospect' END
                    WHEN %(today)s::date - todo.last_date >= %(lost)s THEN 'lost'
                    WHEN %(today)s::date - todo.last_date >= %(dormant)s THEN 'dormant'
                    WHEN todo.old_code IN ('dormant', 'lost') AND todo.last_date >= todo.old_since THEN 'won_back'
                    WHEN todo.old_code = 'won_back' AND %(today)s::date - todo.old_since < %(winback)s THEN 'won_back'
                    WHEN %(today)s::date - todo.first_date < %(new)s THEN 'new'
                    WHEN %(today)s::date - todo.last_date
                         > GREATEST(COALESCE(todo.purchase_interval * %(factor)s, 0), %(risk_min)s) THEN 'at_risk'
                    WHEN todo.previous_spend > 0
                         AND todo.recent_spend > todo.previous_spend * (1 + %(growth)s / 100.0) THEN 'growing'
                    ELSE 'active' END""",
            today=today,
            lost=company.loyalty_lifecycle_lost_days,
            dormant=company.loyalty_lifecycle_dormant_days,
            winback=company.loyalty_lifecycle_winback_days,
            new=company.loyalty_lifecycle_new_days,
            factor=company.loyalty_lifecycle_risk_factor,
            risk_min=company.loyalty_lifecycle_risk_min_days,
            growth=company.loyalty_lifecycle_growth_percent,
        )

    def _company_value_sql(self, column, key, value):
        """Sets the company-dependent ``column`` of the row ``partner`` to ``value`` for the company ``key``;
        an empty value removes the company's key (a JSON null is no valid number for the ORM)."""
        return SQL(
            """%(column)s = CASE WHEN (%(value)s) IS NULL THEN partner.%(column)s - %(key)s
                            ELSE COALESCE(partner.%(column)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(value)s)
                            END""",
            column=SQL.identifier(column),
            key=key,
            value=value,
        )

    def _company_values_sql(self, key, values):
        """``{"values": ..., "changed": ...}``: the assignments of ``values`` (``{column: SQL value}``) to the
        company-dependent columns of the row ``partner`` for the company ``key``, and the condition that one
        of them changes (a value compared as the JSON it is written as)."""
        return {
            "values": SQL(", ").join(self._company_value_sql(column, key, value) for column, value in values.items()),
            "changed": SQL(
                "ROW(%s) IS DISTINCT FROM ROW(%s)",
                SQL(", ").join(SQL("partner.%s -> %s", SQL.identifier(column), key) for column in values),
                SQL(", ").join(SQL("to_jsonb(%s)", value) for value in values.values()),
            ),
        }

    def _compute_lifecycle_batch(self, company, today, batch_size, after_id=0):
        """Stage and value the next ``batch_size`` customers of ``company`` by id after ``after_id``; return
        how many and the last id valued.

        One statement per batch: it writes the figures and the stage in the company-dependent columns of the
        customers whose figures change, and inserts a history row for every changed stage from the rows it
        updated.
        """
        key = str(company.id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH figures AS (SELECT * FROM %(figures)s),
                    todo AS (
                        SELECT partner.id, figures.*, old.id AS old_stage_id, old.code AS old_code,
                               (partner.lifecycle_stage_date->>%(key)s)::date AS old_since
                          FROM figures
                          JOIN res_partner partner ON partner.id = figures.partner_id
                          LEFT JOIN loyalty_lifecycle_stage old ON old.id = (partner.lifecycle_stage_id->>%(key)s)::int
                         WHERE figures.partner_id > %(after)s AND partner.id > %(after)s  -- both sides start there
                         ORDER BY figures.partner_id LIMIT %(limit)s
                    ),
                    staged AS (
                        SELECT todo.*, COALESCE(stage.id, todo.old_stage_id) AS new_stage_id
                          FROM todo LEFT JOIN loyalty_lifecycle_stage stage ON stage.code = %(stage)s
                    ),
                    updated AS (
                        UPDATE res_partner partner SET %(values)s
                          FROM staged WHERE partner.id = staged.id AND %(changed)s
                        RETURNING partner.id, staged.old_stage_id, staged.new_stage_id
                    ),
                    changes AS (
                        INSERT INTO loyalty_lifecycle_history
                               (partner_id, company_id, date, from_stage_id, to_stage_id,
                                create_uid, create_date, write_uid, write_date)
                        SELECT id, %(company)s, %(today)s, old_stage_id, new_stage_id,
                               %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                          FROM updated
                         WHERE new_stage_id IS NOT NULL AND new_stage_id IS DISTINCT FROM old_stage_id
                        RETURNING id
                    )
                SELECT (SELECT COUNT(*) FROM todo), (SELECT MAX(id) FROM todo), (SELECT COUNT(*) FROM changes)""",
                figures=self._member_figures_snapshot(company, today),
                after=after_id,
                key=key,
                today=today,
                limit=batch_size,
                stage=self._lifecycle_stage_sql(company, today),
                company=company.id,
                uid=self.env.uid,
                **self._company_values_sql(
                    key,
                    {
                        "lifecycle_stage_id": SQL("staged.new_stage_id"),
                        "lifecycle_stage_date": SQL(
                            "CASE WHEN staged.new_stage_id IS DISTINCT FROM staged.old_stage_id "
                            "THEN %s::date ELSE staged.old_since END::text",
                            today,
                        ),
                        "member_net_spend": SQL("COALESCE(staged.net_spend, 0)"),
                        "member_topup_amount": SQL("staged.topup_amount"),
                        "member_margin": SQL("staged.margin"),
                        "member_average_order_value": SQL("staged.average_order_value"),
                        "member_purchase_interval": SQL("staged.purchase_interval"),
                    },
                ),
            )
        )
        count, last_id, _changes = self.env.cr.fetchone()
        self.invalidate_model(list(MEMBER_FIGURES))
        self.env["loyalty.lifecycle.history"].invalidate_model()
        return count, last_id or after_id

    def _member_clv_summaries(self, company, today):
        """``(partner id, x, t_x, T, mean spend)`` of the company's buyers, in weeks, for the CLV models.

        x counts the repeat purchase days (a purchase day is a day with purchases; two orders on one day
        are one purchase), t_x is the age of the customer at their last purchase, T their age today; the
        mean spend is their average spend per repeat purchase day (empty when x is 0).
        """
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, purchase_days - 1, (last_date - first_date) / 7.0,
                          (%(today)s::date - first_date) / 7.0, repeat_day_spend
                     FROM %(figures)s WHERE purchase_days > 0 ORDER BY partner_id""",
                figures=self._member_figures_snapshot(company, today),
                today=today,
            )
        )
        return self.env.cr.fetchall()

    def _fit_member_clv(self, company, today, summaries):
        """Fit BG/NBD and Gamma-Gamma on ``summaries``; the fit record (failed when there are too few)."""
        groups = Counter((x, float(t_x), float(T)) for _partner, x, t_x, T, _spend in summaries)
        # The spend model is fitted on the customers who bought again, as Fader & Hardie do.
        bg_rows = sorted((x, t_x, T, count) for (x, t_x, T), count in groups.items())
        spends = Counter((x, round(float(spend), 2)) for _partner, x, _t_x, _T, spend in summaries if x > 0)
        gg_rows = sorted((x, spend, count) for (x, spend), count in spends.items())
        # Too many distinct figures: an even, deterministic sample of them (every n-th in their order).
        if len(bg_rows) > CLV_MAX_FIT_ROWS:
            bg_rows = bg_rows[:: len(bg_rows) // CLV_MAX_FIT_ROWS + 1]
        if len(gg_rows) > CLV_MAX_SPEND_FIT_ROWS:
            gg_rows = gg_rows[:: len(gg_rows) // CLV_MAX_SPEND_FIT_ROWS + 1]
        values = {
            "company_id": company.id,
            "date": today,
            "customer_count": len(summaries),
            "horizon_months": company.loyalty_clv_horizon_months,
        }
        # sudo: the nightly run records its fit through the fits' only door; managers read them.
        Fit = self.env["loyalty.clv.fit"].sudo()._posting()
        try:
            bg = clv_math.fit_bg_nbd(bg_rows)
            gg = clv_math.fit_gamma_gamma(gg_rows)
        except ValueError as error:
            _logger.info("Lifetime value of %s's members not predicted: %s", company.name, error)
            return Fit.create({**values, "state": "failed", "message": str(error)[:200]}), None, None
        bg_values = {"bg_r": bg.r, "bg_alpha": bg.alpha, "bg_a": bg.a, "bg_b": bg.b}
        gg_values = {"gg_p": gg.p, "gg_q": gg.q, "gg_gamma": gg.gamma}
        return Fit.create({**values, **bg_values, **gg_values, "state": "done"}), bg, gg

    def _compute_member_clv(self, company, today):
        """Predict the lifetime value of the company's buyers and flag the high potentials; return how many.

        Done once a day per company (the fit of the day is the mark). The values are computed in Python
        over the summaries, then written by one UPDATE from a temporary table; the high potentials are
        ranked in that UPDATE. When the models cannot be fitted, the predicted values are emptied.
        """
        Fit = self.env["loyalty.clv.fit"].sudo()
        if Fit.search_count([("company_id", "=", company.id), ("date", "=", today)], limit=1):
            return 0
        key = str(company.id)
        summaries = self._member_clv_summaries(company, today)
        _fit, bg, gg = self._fit_member_clv(company, today, summaries)
        self.env.flush_all()
        if bg is None:
            self.env.cr.execute(
                SQL(
                    """UPDATE res_partner SET member_predicted_clv = member_predicted_clv - %(key)s,
                              member_high_potential = COALESCE(member_high_potential, '{}'::jsonb)
                                                      || jsonb_build_object(%(key)s, false)
                        WHERE member_predicted_clv ? %(key)s""",
                    key=key,
                )
            )
            self.invalidate_model(["member_predicted_clv", "member_high_potential"])
            return 1
        horizon = company.loyalty_clv_horizon_months * WEEKS_PER_MONTH
        predicted = {}
        rows = []
        for partner_id, x, t_x, T, spend in summaries:
            figures = (x, float(t_x), float(T), float(spend or 0))
            if figures not in predicted:
                try:
                    predicted[figures] = clv_math.predicted_value(bg, gg, horizon, *figures)
                except ValueError as error:  # a = 1 or q <= 1: no finite prediction for these figures
                    _logger.info("No lifetime value predicted for figures %s of %s: %s", figures, company.name, error)
                    predicted[figures] = None
            rows.append((partner_id, predicted[figures]))
        self.env.cr.execute("CREATE TEMPORARY TABLE IF NOT EXISTS member_clv_values (partner_id int, clv float)")
        self.env.cr.execute("TRUNCATE member_clv_values")
        self.env.cr.execute_values("INSERT INTO member_clv_values (partner_id, clv) VALUES %s", rows, page_size=5000)
        value = self._company_value_sql
        self.env.cr.execute(
            SQL(
                """WITH ranked AS (
                        SELECT partner_id, clv, CUME_DIST() OVER (ORDER BY clv DESC NULLS LAST) AS share
                          FROM member_clv_values
                    )
                    UPDATE res_partner partner SET %(values)s
                      FROM ranked WHERE partner.id = ranked.partner_id""",
                values=SQL(", ").join(
                    [
                        value("member_predicted_clv", key, SQL("ROUND(ranked.clv::numeric, 2)")),
                        value(
                            "member_high_potential",
                            key,
                            SQL(
                                "ranked.clv IS NOT NULL AND ranked.share <= %s / 100.0 AND %s",
                                company.loyalty_clv_top_percent,
                                self._below_top_tier_sql(company),
                            ),
                        ),
                    ]
                ),
            )
        )
        count = self.env.cr.rowcount
        self.env.cr.execute("DROP TABLE member_clv_values")
        self.invalidate_model(["member_predicted_clv", "member_high_potential"])
        return count

    def _below_top_tier_sql(self, company):
        """True for the ``partner`` whose tier is low: no card of the company's tiered programmes reaches
        the top tier (highest level) of its programme. A member without any tier is low too."""
        return SQL(
            """NOT EXISTS (
                    SELECT 1 FROM loyalty_card card
                      JOIN res_partner holder ON holder.id = card.partner_id
                      JOIN loyalty_program program ON program.id = card.program_id
                      JOIN loyalty_tier tier ON tier.id = card.tier_id
                     WHERE holder.commercial_partner_id = partner.id AND card.active
                       AND program.company_id = %(company)s
                       AND tier.sequence >= (SELECT MAX(top.sequence) FROM loyalty_tier top
                                              WHERE top.program_id = card.program_id AND top.active))""",
            company=company.id,
        )

    # ------------------------------------------------------------------
    # Privacy: the member's data in the export and the anonymisation
    # ------------------------------------------------------------------

    def _stored_value_privacy_export(self):
        """Adds the member's loyalty cards, point batches, tier history, birthday, RFM segments, life cycle and
        value figures."""
        data = super()._stored_value_privacy_export()
        cards = self.env["loyalty.card"].search([("partner_id", "=", self.id)])
        data["loyalty_cards"] = self._stored_value_export_rows(
            cards, ["code", "program_id", "company_id", "points", "tier_id", "tier_since", "expiration_date"]
        )
        data["loyalty_point_batches"] = self._stored_value_export_rows(
            self.env["loyalty.point.batch"].search([("card_id", "in", cards.ids)], order="earn_date, id"),
            ["card_id", "program_id", "points", "remaining", "earn_date", "expiry_date", "state", "description"],
        )
        data["loyalty_tier_history"] = self._stored_value_export_rows(
            self.env["loyalty.tier.history"].search([("card_id", "in", cards.ids)], order="date, id"),
            ["card_id", "date", "old_tier_id", "new_tier_id", "change", "reason", "user_id"],
        )
        data["loyalty_birthday"] = self.loyalty_birthday
        data["loyalty_referrals"] = self._stored_value_export_rows(
            self.env["loyalty.referral"]
            .sudo()
            .search(["|", ("referrer_partner_id", "=", self.id), ("referred_partner_id", "=", self.id)], order="id"),
            ["date", "referrer_partner_id", "referred_partner_id", "program_id", "source", "state", "reward_date"],
        )
        rfm_fields = [
            "rfm_segment",
            "rfm_recency_score",
            "rfm_frequency_score",
            "rfm_monetary_score",
            "rfm_last_order_date",
            "rfm_order_count",
            "rfm_amount",
            "rfm_date",
        ]
        data["rfm_segments"] = [
            {"company": company.name, **row}
            for company in self.env["res.company"].search([])
            for row in self._stored_value_export_rows(self.with_company(company), rfm_fields)
            if row["rfm_date"]
        ]
        value_fields = [
            *(name for name in sorted(MEMBER_FIGURES) if name != "lifecycle_stage_id"),
            "lifecycle_stage_id",
        ]
        data["member_value"] = [
            {"company": company.name, **row}
            for company in self.env["res.company"].search([])
            for row in self._stored_value_export_rows(self.with_company(company), value_fields)
            if row["member_value_date"]
        ]
        data["lifecycle_history"] = self._stored_value_export_rows(
            self.env["loyalty.lifecycle.history"].search([("partner_id", "=", self.id)], order="date, id"),
            ["company_id", "date", "from_stage_id", "to_stage_id"],
        )
        return data

    def _stored_value_anonymised_values(self):
        """The birthday goes too; the segments stay (they describe purchases, not the person)."""
        return {**super()._stored_value_anonymised_values(), "loyalty_birthday": False}
