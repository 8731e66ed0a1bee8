from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Lets the offline sync of an order open its member whatever their referral code: a refused code is then
# recorded as refused instead of refusing the member. An object, not a string: a context sent over RPC is
# JSON and cannot hold it.
RECORD_REFUSAL = object()

REFERRAL_SOURCES = [("pos", "Point of Sale"), ("portal", "Portal Sign-up"), ("backoffice", "Back Office")]
REFUSAL_REASONS = [
    ("unknown_code", "Unknown Code"),
    ("self", "Self-Referral"),
    ("circular", "Circular Referral"),
    ("already_referred", "Already Referred"),
    ("existing_customer", "Existing Customer"),
]


class LoyaltyReferral(models.Model):
    """A member brought a new customer with their referral code (老带新).

    Append-only: written by the server code that opens the member (POS, portal sign-up) and by the
    reward of the referred customer's first qualifying top-up or purchase; nobody creates or edits one.
    """

    _name = "loyalty.referral"
    _description = "Loyalty Referral"
    _order = "date desc, id desc"

    _request_key_unique = models.Constraint("UNIQUE(request_key)", "This request already recorded a referral.")
    # A customer is brought once per company: the first accepted referral is theirs.
    _referred_once = models.UniqueIndex(
        "(referred_partner_id, company_id) WHERE state != 'refused'", "This customer was already referred."
    )

    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    referrer_partner_id = fields.Many2one("res.partner", string="Referrer", readonly=True, index="btree_not_null")
    referrer_card_id = fields.Many2one("loyalty.card", string="Referrer's Card", readonly=True)
    referred_partner_id = fields.Many2one("res.partner", string="Referred Customer", required=True, readonly=True)
    code = fields.Char(string="Code Used", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    source = fields.Selection(REFERRAL_SOURCES, required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Waiting for a Qualifying Top-up or Purchase"), ("rewarded", "Rewarded"), ("refused", "Refused")],
        required=True,
        readonly=True,
        default="pending",
        index=True,
    )
    refusal_reason = fields.Selection(REFUSAL_REASONS, readonly=True)
    request_key = fields.Char(readonly=True, copy=False, groups="base.group_system")
    reward_date = fields.Datetime(readonly=True)
    reward_document = fields.Reference(
        [("stored.value.ledger", "Top-up"), ("pos.order", "POS Order"), ("account.move", "Invoice")],
        string="Qualifying Document",
        readonly=True,
    )
    # The document's name, for the managers who may not open it (a top-up is the stored-value staff's).
    reward_document_name = fields.Char(string="Qualified By", readonly=True)
    reward_credit = fields.Monetary(
        string="Bonus Credit Given",
        readonly=True,
        help="Bonus credit put on the stored-value cards of both sides (a promotion expense once spent).",
    )
    reward_points = fields.Float(string="Points Given", readonly=True, help="Points earned by both sides.")
    referrer_coupon_id = fields.Many2one("loyalty.card", string="Referrer's Coupon", readonly=True)
    referred_coupon_id = fields.Many2one("loyalty.card", string="Referred Customer's Coupon", readonly=True)
    reward_cost = fields.Monetary(
        readonly=True,
        help="What the rewards cost in money: the bonus credit given, and the value of gift cards given. "
        "Points and coupons that are not gift cards count in their own columns.",
    )
    reward_problem = fields.Char(
        readonly=True,
        help="Why the last qualifying document could not give the rewards (a coupon programme archived, ...): "
        "the referral waits for the next one, once the programme is corrected.",
    )
    referred_spend = fields.Monetary(
        string="Referred Customer's Spend",
        compute="_compute_referred_spend",
        help="What the referred customer bought since the referral: paid POS orders (without top-ups) and "
        "posted customer invoices less refunds, in the company currency.",
    )

    def _compute_display_name(self):
        for referral in self:
            referral.display_name = self.env._(
                "%(referrer)s → %(referred)s",
                referrer=referral.referrer_partner_id.display_name or referral.code or "?",
                referred=referral.referred_partner_id.display_name,
            )

    def _compute_referred_spend(self):
        referrals = self.filtered("id")
        spend = {}
        if referrals:
            self.env.flush_all()
            # One query for the whole list: the report shows it for every referral.
            self.env.cr.execute(
                SQL(
                    """SELECT referral.id,
                              COALESCE((SELECT SUM(line.price_subtotal_incl / COALESCE(NULLIF(pos.currency_rate, 0), 1))
                                          FROM pos_order pos
                                          JOIN pos_order_line line ON line.order_id = pos.id
                                          JOIN product_product product ON product.id = line.product_id
                                          JOIN product_template template ON template.id = product.product_tmpl_id
                                         WHERE pos.partner_id = referral.referred_partner_id
                                           AND pos.company_id = referral.company_id
                                           AND pos.state IN ('paid', 'done') AND pos.date_order >= referral.date
                                           AND NOT COALESCE(template.stored_value_top_up, FALSE)), 0)
                            + COALESCE((SELECT SUM(move.amount_total_signed) FROM account_move move
                                         WHERE move.partner_id = referral.referred_partner_id
                                           AND move.company_id = referral.company_id AND move.state = 'posted'
                                           AND move.move_type IN ('out_invoice', 'out_refund')
                                           AND move.create_date >= referral.date
                                           AND NOT EXISTS (SELECT 1 FROM pos_order invoiced
                                                            WHERE invoiced.account_move = move.id)), 0)
                         FROM loyalty_referral referral WHERE referral.id IN %s""",
                    tuple(referrals.ids),
                )
            )
            spend = dict(self.env.cr.fetchall())
        for referral in self:
            referral.referred_spend = spend.get(referral.id, 0.0)

    # ------------------------------------------------------------------
    # Recording a referral: the one door
    # ------------------------------------------------------------------

    @api.model
    def _refer(self, code, referred, source, company, key, existing=None):
        """Record that the member whose referral code is ``code`` brought ``referred`` (a customer just
        opened at ``company``), from ``source``; ``key`` records it once (a replay returns it).

        ``existing`` says whether ``referred`` was a customer before this request (the caller knows,
        having looked before opening their card); by default they are looked up now. A refused referral
        raises a translated ``UserError``, unless the context carries :data:`RECORD_REFUSAL` (an order
        synced offline must not be lost): it is then recorded as refused, and returned.
        """
        # sudo: the referrals are the suite's bookkeeping; the caller is the server code opening a member.
        Referral = self.sudo()
        replay = Referral.search([("request_key", "=", key)], limit=1)
        if replay:
            return replay.sudo(False)
        code = (code or "").strip().upper()[:32]
        card = self.env["loyalty.card"]._referral_card_of_code(code, company)
        if existing is None:
            existing = referred._loyalty_is_existing_customer(company)
        reason, message = self._refusal(card, referred, company, existing, code)
        values = {
            "program_id": card.program_id.id,
            "company_id": company.id,
            "referrer_partner_id": card.partner_id.id,
            "referrer_card_id": card.id,
            "referred_partner_id": referred.id,
            "code": code,
            "source": source,
            "request_key": key,
        }
        if reason:
            if self.env.context.get("loyalty_referral_refusal") is not RECORD_REFUSAL:
                raise UserError(message)
            values.update(state="refused", refusal_reason=reason)
        return Referral.create(values).sudo(False)

    @api.model
    def _refusal(self, card, referred, company, existing, code):
        """``(reason, message)`` why ``card``'s holder may not refer ``referred``; ``(False, False)`` if they may."""
        if not card:
            return "unknown_code", self.env._(
                "The referral code %(code)s is not known: check it with the member who gave it, or go on without it.",
                code=code or "-",
            )
        referrer = card.partner_id
        name = referred.display_name
        if referrer in referred._loyalty_same_person():
            return "self", self.env._("%(name)s cannot be referred with their own referral code.", name=name)
        if referred in self._referrers_above(referrer, company):
            return "circular", self.env._(
                "%(name)s brought %(referrer)s (directly or through others): %(referrer)s cannot refer them back.",
                name=name,
                referrer=referrer.display_name,
            )
        earlier = self.sudo().search(
            [("referred_partner_id", "=", referred.id), ("company_id", "=", company.id), ("state", "!=", "refused")],
            limit=1,
        )
        if earlier:
            return "already_referred", self.env._(
                "%(name)s was already referred by %(referrer)s.", name=name, referrer=earlier.referrer_partner_id.name
            )
        if existing:
            return "existing_customer", self.env._(
                "%(name)s is already a customer: a referral code is for new customers only.", name=name
            )
        return False, False

    @api.model
    def _referrers_above(self, partner, company):
        """Who brought ``partner``, who brought them, and so on (the chain of accepted referrals)."""
        found = self.env["res.partner"]
        while partner and partner not in found:
            found |= partner
            partner = (
                self.sudo()
                .search(
                    [
                        ("referred_partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("state", "!=", "refused"),
                    ],
                    limit=1,
                )
                .referrer_partner_id
            )
        return found

    # ------------------------------------------------------------------
    # The reward: both sides, once, on the first qualifying top-up or purchase
    # ------------------------------------------------------------------

    @api.model
    def _reward_qualifying(self, kind, partner, amount, currency, company, document):
        """Reward the pending referral of ``partner`` at ``company`` if ``document`` (a ``kind`` of
        ``topup`` or ``purchase`` of ``amount`` in ``currency``) reaches its programme's threshold.

        The referral row is locked and read again: two documents at once, or one synced twice, reward once.
        """
        referral = self.sudo().search(
            [("referred_partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "=", "pending")],
            limit=1,
        )
        if not referral or referral.program_id.referral_trigger not in (kind, "either"):
            return self.browse()
        program = referral.program_id
        if not (program.active and program.referral_enabled):
            return self.browse()
        value = currency._convert(amount, company.currency_id, company, fields.Date.context_today(self))
        if company.currency_id.compare_amounts(value, program.referral_threshold) < 0:
            return self.browse()
        self.env.cr.execute(SQL("SELECT state FROM loyalty_referral WHERE id = %s FOR UPDATE", referral.id))
        referral.invalidate_recordset(["state"])
        if referral.state != "pending":
            return self.browse()
        values = {"credit": 0.0, "points": 0.0, "cost": 0.0}
        coupons = {}
        try:
            # A reward that cannot be given must not lose the top-up or the order that qualified.
            with self.env.cr.savepoint():
                for side in ("referrer", "referred"):
                    given = referral._give_reward(side)
                    for name in ("credit", "points", "cost"):
                        values[name] += given.get(name, 0.0)
                    coupons[f"{side}_coupon_id"] = given.get("coupon", self.env["loyalty.card"]).id
        except UserError as error:
            referral.write({"reward_problem": error.args[0]})
            return self.browse()
        referral.write(
            {
                "state": "rewarded",
                "reward_date": fields.Datetime.now(),
                "reward_document": f"{document._name},{document.id}",
                "reward_document_name": document.sudo().display_name,
                "reward_credit": values["credit"],
                "reward_points": values["points"],
                "reward_cost": values["cost"],
                "reward_problem": False,
                **coupons,
            }
        )
        program = referral.program_id
        members = program._member_card(referral.referrer_partner_id) | program._member_card(
            referral.referred_partner_id
        )
        self.env["stored.value.message"]._dispatch("referral_reward", members)
        return referral.sudo(False)

    def _give_reward(self, side):
        """Give ``side`` (``referrer`` or ``referred``) the reward of the programme, keyed by this referral
        and side so that it is given once; return what it cost (``credit``, ``points``, ``cost``, ``coupon``)."""
        self.ensure_one()
        program = self.program_id
        partner = self.referrer_partner_id if side == "referrer" else self.referred_partner_id
        kind = program[f"referral_{side}_reward"]
        amount = program[f"referral_{side}_amount"]
        key = f"loyalty.referral/{self.id}/{side}"
        description = self.env._(
            "Referral: %(referrer)s brought %(referred)s",
            referrer=self.referrer_partner_id.name,
            referred=self.referred_partner_id.name,
        )
        if kind == "points":
            program._member_card(partner)._earn_points(amount, key, description)
            return {"points": amount}
        if kind == "credit":
            self._referral_credit_card(partner, key)._gift_bonus(amount, description, key)
            return {"credit": amount, "cost": amount}
        coupon_program = program[f"referral_{side}_coupon_program_id"]
        # The referral reward message gives the code.
        coupon = coupon_program._issue_coupon(partner, key, description, points=amount or None, notify=False)
        cost = coupon.points if coupon_program.program_type == "gift_card" else 0.0
        return {"coupon": coupon, "cost": cost}

    def _referral_credit_card(self, partner, key):
        """The stored-value card of ``partner`` at the referral's company that takes a bonus credit: their
        usable card in the company currency, or one opened for the reward."""
        self.ensure_one()
        company = self.company_id
        # sudo: the reward is the server's decision; the card is the holder's own.
        Card = self.env["stored.value.card"].sudo()
        card = Card._gift_wallet(partner, company, company.currency_id)
        return card or Card._issue_member_card(partner, f"{key}/card", company, company.currency_id)
