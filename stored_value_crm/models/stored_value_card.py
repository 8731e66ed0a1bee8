import operator as py_operator
import re
import time

from passlib.context import CryptContext

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, consteq
from odoo.tools.float_utils import float_repr
from odoo.tools.misc import format_amount, hmac

from ..tools import masking, wallet_math
from ..tools.keys import check_uuid, is_record_id

PIN_CONTEXT = CryptContext(schemes=["pbkdf2_sha512"])
PIN_FORMAT = re.compile(r"^\d{4,8}$")
LOSS_REASONS = [("lost", "Lost"), ("stolen", "Stolen"), ("damaged", "Damaged")]
# How long a terminal may use the proof that the holder typed the PIN for one payment.
POS_PIN_PROOF_SECONDS = 15 * 60
COMPARISONS = {
    ">": py_operator.gt,
    ">=": py_operator.ge,
    "=": py_operator.eq,
    "<": py_operator.lt,
    "<=": py_operator.le,
    "!=": py_operator.ne,
}


class CheckedPin:
    """Says, inside one request, that the holder typed the right PIN of card ``card_id``.

    Passed in the context from a wizard that checked the PIN to the payment it posts: a context sent
    over RPC is JSON and cannot hold it.
    """

    __slots__ = ("card_id",)

    def __init__(self, card_id):
        self.card_id = card_id

    @staticmethod
    def covers(context, card):
        checked = context.get("stored_value_pin_checked")
        return isinstance(checked, CheckedPin) and checked.card_id == card.id


class StoredValueCard(models.Model):
    """A stored-value wallet: money its holder has paid in advance (principal) plus promotional bonus.

    Balances are a cache of the ledger. They only change through :meth:`_post_movement`, under a row
    lock taken by :meth:`_lock`, in the transaction that writes the ledger entry. What holds or moves
    value (number, holder, state, balances, PIN) is protected: it changes only through the private
    methods of the sections "Life cycle" and "Movements" below, which check the role and leave a trail.
    """

    _name = "stored.value.card"
    _description = "Stored-Value Card"
    _inherit = [
        "stored.value.revealing.search",
        "mail.thread",
        "mail.activity.mixin",
        "pos.load.mixin",
        "stored.value.guard",
    ]
    _order = "id desc"
    _check_company_auto = True
    _protected_fields = frozenset(
        {
            "name",
            "partner_id",
            "state",
            "principal_balance",
            "bonus_balance",
            "balance",
            "last_movement_date",
            "low_balance_notified_date",
            "dormant_notified_date",
            "pin_hash",
            "new_pin",
            "pin_failed_attempts",
            "loss_reason",
            "loss_date",
            "replaced_by_id",
            "replaces_id",
            "issue_key",
        }
    )

    _name_unique = models.Constraint("UNIQUE(name)", "A card with this number already exists.")
    _issue_key_unique = models.Constraint("UNIQUE(issue_key)", "This request already issued a card.")
    _balances_not_negative = models.Constraint(
        "CHECK(principal_balance >= 0 AND bonus_balance >= 0)",
        "A card balance can never be negative.",
    )

    name = fields.Char(
        string="Card Number",
        required=True,
        copy=False,
        default="/",
        index="trigram",
        tracking=True,
        help="Printed on the card as a barcode and a QR code; leave '/' to number the card automatically.",
    )
    masked_number = fields.Char(
        string="Card",
        compute="_compute_masked_number",
        help="The number as receipts, statements, the portal and emails show it: its last four digits.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Holder", required=True, index=True, tracking=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("frozen", "Frozen"), ("closed", "Closed")],
        required=True,
        default="draft",
        tracking=True,
        copy=False,
    )
    principal_balance = fields.Monetary(
        string="Principal", readonly=True, copy=False, help="What the holder paid in and has not spent: owed to them."
    )
    bonus_balance = fields.Monetary(string="Bonus", readonly=True, copy=False, help="Promotional credit left.")
    balance = fields.Monetary(readonly=True, copy=False, tracking=True)
    last_movement_date = fields.Datetime(readonly=True, copy=False)
    low_balance_notified_date = fields.Datetime(readonly=True, copy=False)
    dormant_notified_date = fields.Datetime(readonly=True, copy=False)
    is_dormant = fields.Boolean(
        string="Dormant",
        compute="_compute_is_dormant",
        search="_search_is_dormant",
        help="No movement for longer than the company's dormancy period.",
    )
    pin_hash = fields.Char(groups="base.group_system", copy=False)
    has_pin = fields.Boolean(string="PIN Set", compute="_compute_has_pin", compute_sudo=True)
    new_pin = fields.Char(
        string="PIN",
        compute="_compute_new_pin",
        inverse="_inverse_new_pin",
        help="4 to 8 digits the holder chooses when the card is issued, asked when the card pays. "
        "Later changes go through Change PIN.",
    )
    pin_attempt_ids = fields.One2many("stored.value.pin.attempt", "card_id", string="PIN Tries", readonly=True)
    pin_failed_attempts = fields.Integer(
        string="Wrong PIN Tries", compute="_compute_pin_failed_attempts", search="_search_pin_failed_attempts"
    )
    pin_locked = fields.Boolean(string="PIN Locked", compute="_compute_pin_failed_attempts")
    ledger_ids = fields.One2many("stored.value.ledger", "card_id", readonly=True)
    ledger_count = fields.Integer(compute="_compute_ledger_count")
    note = fields.Text()
    loss_reason = fields.Selection(
        LOSS_REASONS, readonly=True, copy=False, tracking=True, help="Why the card was reported lost and frozen."
    )
    loss_date = fields.Datetime(string="Reported On", readonly=True, copy=False)
    replaced_by_id = fields.Many2one(
        "stored.value.card",
        string="Reissued As",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The card number that took over this card's balance, history and PIN when it was reissued.",
    )
    replaces_id = fields.Many2one(
        "stored.value.card", string="Reissue Of", readonly=True, copy=False, index="btree_not_null"
    )
    issue_key = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The request that issued the card at a counter: sending it again gives the same card.",
    )

    @api.depends("name")
    def _compute_masked_number(self):
        for card in self:
            card.masked_number = masking.mask_card_number(card.name)

    @api.depends("last_movement_date", "create_date", "company_id.stored_value_dormant_days")
    def _compute_is_dormant(self):
        now = fields.Datetime.now()
        for card in self:
            last = card.last_movement_date or card.create_date or now
            card.is_dormant = card.state == "active" and (now - last).days >= card.company_id.stored_value_dormant_days

    def _search_is_dormant(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search dormant cards with “is set” or “is not set” only."))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT card.id FROM stored_value_card card JOIN res_company company ON company.id = card.company_id
                    WHERE card.state = 'active'
                      AND COALESCE(card.last_movement_date, card.create_date)
                          <= (now() AT TIME ZONE 'UTC') - make_interval(days => company.stored_value_dormant_days)"""
            )
        )
        dormant_ids = [row[0] for row in self.env.cr.fetchall()]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", dormant_ids)]

    def _compute_has_pin(self):
        for card in self:
            card.has_pin = bool(card.pin_hash)

    def _compute_new_pin(self):
        self.new_pin = False

    def _inverse_new_pin(self):
        # Only reached when a card is created: the guard refuses new_pin in a write from outside.
        for card in self.filtered("new_pin"):
            card._set_pin(card.new_pin)

    def _compute_pin_failed_attempts(self):
        failures = self.env["stored.value.pin.attempt"]._failures_of(self._origin.ids)
        for card in self:
            card.pin_failed_attempts = failures.get(card._origin.id, 0)
            card.pin_locked = card.pin_failed_attempts >= card.company_id.stored_value_pin_max_attempts

    def _search_pin_failed_attempts(self, operator, value):
        if operator not in (">", ">=", "=", "<", "<=", "!=") or not isinstance(value, int):
            raise UserError(self.env._("Search wrong PIN tries with a number."))
        failures = self.env["stored.value.pin.attempt"]._failures_of()

        def compare(count):
            return COMPARISONS[operator](count, value)

        if compare(0):  # cards without any try match too
            return [("id", "not in", [card_id for card_id, count in failures.items() if not compare(count)])]
        return [("id", "in", [card_id for card_id, count in failures.items() if compare(count)])]

    def _compute_ledger_count(self):
        counts = dict(
            self.env["stored.value.ledger"]._read_group([("card_id", "in", self.ids)], ["card_id"], ["__count"])
        )
        for card in self:
            card.ledger_count = counts.get(card, 0)

    @api.model_create_multi
    def create(self, vals_list):
        Stock = self.env["stored.value.card.stock"].sudo()  # sudo: any number printed, whoever may read it
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self._next_free_number()
            elif masking.holds_mask(vals["name"]):
                raise UserError(
                    self.env._("%(number)s still shows the mask: type the full card number.", number=vals["name"])
                )
            elif not self._protected_open() and Stock.search_count([("name", "=", vals["name"])], limit=1):
                raise UserError(
                    self.env._(
                        "%(number)s is a pre-printed card number: sell it with Issue Stock Card.", number=vals["name"]
                    )
                )
        return super().create(vals_list)

    def _next_free_number(self):
        """The next number of the card sequence that no pre-printed batch holds."""
        Stock = self.env["stored.value.card.stock"].sudo()
        while True:
            number = self.env["ir.sequence"].next_by_code("stored.value.card") or "/"
            if number == "/" or not Stock.search_count([("name", "=", number)], limit=1):
                return number

    def _protected_create_allowed(self, field_name, value):
        # A new card holds nothing: it may be numbered, given to a holder and a PIN, and starts in draft.
        if field_name == "state":
            return value == "draft"
        return field_name in ("name", "partner_id", "new_pin")

    def write(self, vals):
        if {"company_id", "currency_id"} & set(vals) and self.ledger_ids:
            raise UserError(self.env._("The company or currency of a card with movements cannot change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unused_drafts(self):
        if any(card.state != "draft" or card.ledger_ids for card in self):
            raise UserError(self.env._("Only draft cards without movements can be deleted: close the card instead."))

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """Messages on a card (statements, replies) email the holder only with their consent to emails."""
        recipients = super()._notify_get_recipients(message, msg_vals=msg_vals, **kwargs)
        return self.env["res.partner"]._stored_value_consenting_recipients(recipients)

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def _is_manager(self):
        return self.env.user.has_group("stored_value_crm.group_stored_value_manager")

    def _check_manager(self):
        if not self._is_manager():
            raise UserError(self.env._("Only a stored-value manager can do this."))

    def action_activate(self):
        """Put draft cards in service. A frozen card is unfrozen with the holder's PIN or by a manager."""
        if any(card.state != "draft" for card in self):
            raise UserError(
                self.env._(
                    "Only draft cards are activated here: a frozen card is unfrozen with the holder's PIN "
                    "or by a manager (Unfreeze), and a closed card cannot be used again."
                )
            )
        self._set_state("active")

    def action_freeze(self):
        """Freeze at once (a lost card, a suspicious payment): it protects the holder, so any user may."""
        if any(card.state != "active" for card in self):
            raise UserError(self.env._("Only active cards can be frozen."))
        self._set_state("frozen")

    def action_unlock_pin(self):
        self._check_manager()
        self._reset_pin_attempts()
        self.message_post(body=self.env._("The PIN was unlocked by %(user)s.", user=self.env.user.name))

    def _open_consent(self, operation):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": dict(self.env["stored.value.consent.wizard"]._fields["operation"]._description_selection(self.env))[
                operation
            ],
            "res_model": "stored.value.consent.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id, "default_operation": operation},
        }

    def action_unfreeze(self):
        return self._open_consent("unfreeze")

    def action_change_pin(self):
        return self._open_consent("change_pin")

    def action_change_holder(self):
        return self._open_consent("change_holder")

    def action_close(self):
        return self._open_consent("close")

    def _set_state(self, state, reason=None):
        """The one place a card changes state; the chatter tracks who did it, and why when given."""
        self._posting().write({"state": state})
        if reason:
            for card in self:
                card.message_post(body=reason)

    def _unfreeze(self, reason):
        self.ensure_one()
        if self.state != "frozen":
            raise UserError(self.env._("Card %(card)s is not frozen.", card=self.name))
        if self.loss_reason:  # found again
            self._posting().write({"loss_reason": False, "loss_date": False})
        self._set_state("active", reason)

    def action_report_lost(self):
        """Report the card lost, stolen or damaged: it is frozen at once, with the reason recorded."""
        self.ensure_one()
        if self.state not in ("active", "frozen"):
            raise UserError(self.env._("Only active or frozen cards can be reported lost."))
        return self._open_wizard("stored.value.loss.wizard", self.env._("Report Lost"))

    def _report_lost(self, loss_reason, note=None):
        """Freeze the card at once and record why (lost, stolen, damaged): it protects the holder, so any
        user who may freeze it may; the new card comes with :meth:`_reissue`."""
        self.ensure_one()
        labels = dict(self._fields["loss_reason"]._description_selection(self.env))
        if not isinstance(loss_reason, str) or loss_reason not in labels:
            raise UserError(self.env._("Say whether card %(card)s was lost, stolen or damaged.", card=self.name))
        if self.state not in ("active", "frozen"):
            raise UserError(self.env._("Only active or frozen cards can be reported lost."))
        self._posting().write({"loss_reason": loss_reason, "loss_date": fields.Datetime.now()})
        message = self.env._(
            "Reported %(reason)s by %(user)s: %(note)s",
            reason=labels[loss_reason].lower(),
            user=self.env.user.name,
            note=note if isinstance(note, str) and note.strip() else "-",
        )
        if self.state == "active":
            self._set_state("frozen", message)
        else:
            self.message_post(body=message)

    def action_reissue(self):
        return self._open_consent("reissue")

    def _reissue(self, key, reason, stock_number=None, loss_reason=None):
        """Give the holder a new card number for this one; return the new card.

        The new card (the next number, or the unsold pre-printed ``stock_number``) has the same holder,
        company, currency and PIN, and takes the whole principal and bonus through one pair of ledger
        entries booked under ``key``; this card is then closed, for good, and points to the new one. The
        holder does not change, so the deposits owed do not move in the books. A replayed ``key``
        returns the card the first request made. The caller checked the holder's PIN or the manager.
        """
        self.ensure_one()
        replayed = self._replayed_reissue(key)
        if replayed:
            return replayed
        if self.state not in ("active", "frozen"):
            raise UserError(
                self.env._("Only active or frozen cards can be reissued: card %(card)s is not.", card=self.name)
            )
        self._lock()
        replayed = self._replayed_reissue(key)  # booked by the request this one waited for
        if replayed:
            return replayed
        if self.state not in ("active", "frozen") or self.replaced_by_id:
            raise UserError(self.env._("Card %(card)s is already closed.", card=self.name))
        if loss_reason and loss_reason != self.loss_reason:
            self._report_lost(loss_reason)
        principal, bonus, bonus_expiry = self.principal_balance, self.bonus_balance, self._remaining_bonus_expiry()
        if stock_number:
            new_card = self.env["stored.value.card.stock"]._sell(
                stock_number, self.partner_id, company=self.company_id, currency=self.currency_id
            )
        else:
            # sudo: a cashier may reissue with the holder's PIN without the right to create cards; the
            # new card is created empty and only this movement fills it.
            new_card = (
                self.sudo()
                ._posting()
                .create(
                    {
                        "partner_id": self.partner_id.id,
                        "company_id": self.company_id.id,
                        "currency_id": self.currency_id.id,
                    }
                )
            )
            new_card._set_state("active")
        new_card = new_card.sudo()
        # sudo: the PIN hash is readable by system administrators only; the holder keeps their PIN.
        new_card._posting().write({"replaces_id": self.id, "pin_hash": self.sudo().pin_hash})
        new_card._lock()
        self._post_movement(
            "reissue_out", -principal, -bonus, key, source_ref=f"stored.value.card,{new_card.id}", reason=reason
        )
        new_card._post_movement(
            "reissue_in",
            principal,
            bonus,
            f"{key}/in",
            source_ref=f"stored.value.card,{self.id}",
            reason=reason,
            bonus_expiry_date=bonus_expiry,
        )
        self._posting().write({"replaced_by_id": new_card.id})
        self._set_state("closed", reason)
        new_card.message_post(
            body=self.env._("Reissue of card %(card)s: %(reason)s", card=self.name, reason=reason or "-")
        )
        return new_card.sudo(False)

    @api.model
    def _issue_member_card(self, partner, key, company, currency, stock_number=None, pin=None):
        """Issue an active card to ``partner`` at a counter: the pre-printed ``stock_number``, else the next
        number; ``pin`` (optional) becomes its PIN. Return the card.

        ``key`` names the request: the same key gives back the card it issued, so a terminal sending the
        request again (or an order synced twice) never opens a second card.
        """
        # sudo: issue_key is not readable by counter staff; only the key's own request is looked up.
        issued = self.sudo().search([("issue_key", "=", key)], limit=1)
        if issued:
            if issued.partner_id != partner:
                raise UserError(self.env._("This request already opened a card for another customer."))
            return issued.sudo(False)
        if pin is not None and not (isinstance(pin, str) and PIN_FORMAT.match(pin)):
            raise UserError(self.env._("A PIN is 4 to 8 digits."))
        if stock_number:
            card = self.env["stored.value.card.stock"]._sell(
                stock_number, partner, pin=pin, company=company, currency=currency
            )
        else:
            # sudo: counter staff have no create right on cards; the card is created empty for the customer.
            card = (
                self.sudo()
                ._posting()
                .create({"partner_id": partner.id, "company_id": company.id, "currency_id": currency.id})
            )
            card._set_state("active")
            if pin:
                card._set_pin(pin)
        card.sudo()._posting().write({"issue_key": key})
        return card.sudo(False)

    def _replayed_reissue(self, key):
        """The card a reissue already booked under ``key`` made, if any; a key of another movement is refused."""
        entry = self.env["stored.value.ledger"].sudo().search([("idempotency_key", "=", key)], limit=1)
        if not entry:
            return None
        if entry.card_id != self or entry.entry_type != "reissue_out":
            raise UserError(
                self.env._(
                    "The request key %(key)s was already used for another movement (%(entry)s).",
                    key=key,
                    entry=entry.name,
                )
            )
        return self.replaced_by_id

    def _with_replaced_cards(self):
        """This card and the cards it was reissued for, the oldest last."""
        self.ensure_one()
        cards = self
        while cards[-1:].replaces_id and cards[-1].replaces_id not in cards:
            cards |= cards[-1].replaces_id
        return cards

    def _remaining_bonus_expiry(self):
        """When the bonus left on the card expires, for the one entry that moves it to a new card.

        One entry holds one date: when what is left comes from credits of several dates, the latest is
        kept, so that the holder loses no bonus earlier than promised; no date when any of it never expires.
        """
        self.ensure_one()
        entries = self.env["stored.value.ledger"].sudo().search([("card_id", "=", self.id)], order="id")
        today = fields.Date.context_today(self)
        # In the order :meth:`_expire_bonus` consumes them: the soonest to expire first.
        credits = entries.filtered(lambda entry: entry.bonus_amount > 0).sorted(
            lambda entry: (not entry.bonus_expiry_date, entry.bonus_expiry_date or today, entry.id)
        )
        consumed = -sum(entry.bonus_amount for entry in entries if entry.bonus_amount < 0)
        left = wallet_math.remaining_in_batches([entry.bonus_amount for entry in credits], consumed)
        dates = [
            credit.bonus_expiry_date
            for credit, remaining in zip(credits, left, strict=True)
            if not self.currency_id.is_zero(remaining)
        ]
        return False if not dates or not all(dates) else max(dates)

    def _close(self, reason):
        """Close a card that holds nothing; it is then refused everywhere, for good."""
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Card %(card)s is already closed.", card=self.name))
        if not self.currency_id.is_zero(self.balance):
            raise UserError(
                self.env._(
                    "Card %(card)s still holds %(balance)s: refund or adjust it to zero before closing it.",
                    card=self.name,
                    balance=self._format_amount(self.balance),
                )
            )
        self._set_state("closed", reason)

    def _set_pin(self, pin):
        """Store the hash of a new ``pin`` (never the PIN) and clear the wrong tries."""
        self.ensure_one()
        if not PIN_FORMAT.match(pin or ""):
            raise ValidationError(self.env._("A PIN is 4 to 8 digits."))
        self._set_pin_hash(PIN_CONTEXT.hash(pin))

    def _set_pin_hash(self, pin_hash):
        self.ensure_one()
        # sudo: pin_hash is readable by system administrators only; the caller checked who may set it.
        self.sudo()._posting().write({"pin_hash": pin_hash})
        self._reset_pin_attempts()
        self.message_post(body=self.env._("The PIN was changed by %(user)s.", user=self.env.user.name))

    def _change_holder(self, partner, reason):
        """Give the card, and what it holds, to ``partner``; the deposits owed follow the new holder."""
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Card %(card)s is closed.", card=self.name))
        if partner == self.partner_id:
            raise UserError(
                self.env._("Card %(card)s already belongs to %(holder)s.", card=self.name, holder=partner.name)
            )
        if partner.company_id and partner.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "%(holder)s belongs to another company than card %(card)s.", holder=partner.name, card=self.name
                )
            )
        self._lock()
        previous = self.partner_id
        if not self.currency_id.is_zero(self.principal_balance):
            company = self.company_id
            company._stored_value_post_deposit_move(
                company._stored_value_journal(),
                previous,
                -self.principal_balance,
                company._stored_value_deposit_account(),
                partner,
                ref=self.env._("Card %(card)s given to %(holder)s", card=self.name, holder=partner.name),
            )
        self._posting().write({"partner_id": partner.id})
        self.message_post(
            body=self.env._(
                "Holder changed from %(previous)s to %(holder)s by %(user)s: %(reason)s",
                previous=previous.display_name,
                holder=partner.display_name,
                user=self.env.user.name,
                reason=reason or "-",
            )
        )

    def action_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.stored_value_ledger_action")
        action["domain"] = [("card_id", "=", self.id)]
        action["context"] = {"default_card_id": self.id}
        return action

    def _open_wizard(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    def action_top_up(self):
        return self._open_wizard("stored.value.topup.wizard", self.env._("Top Up"))

    def action_refund(self):
        self._check_manager()
        return self._open_wizard("stored.value.refund.wizard", self.env._("Refund Balance"))

    def action_adjust(self):
        self._check_manager()
        return self._open_wizard("stored.value.adjustment.wizard", self.env._("Adjust Balance"))

    def action_statement(self):
        return self._open_wizard("stored.value.statement.wizard", self.env._("Card Statement"))

    def action_transfer(self):
        return self._open_wizard("stored.value.transfer.wizard", self.env._("Transfer Balance"))

    def action_check_ledger(self):
        problems = self._ledger_discrepancies()
        if problems:
            raise UserError("\n".join(problems.values()))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Ledger and balances agree for %(count)s cards.", count=len(self)),
            },
        }

    # ------------------------------------------------------------------
    # Checks shared by every movement
    # ------------------------------------------------------------------

    def _format_amount(self, amount):
        return format_amount(self.env, amount, self.currency_id)

    def _check_amount(self, amount):
        """Raise unless ``amount`` is a positive, finite number within the card currency's precision."""
        if not wallet_math.is_number(amount) or self.currency_id.compare_amounts(amount, 0) <= 0:
            raise UserError(
                self.env._(
                    "The amount must be positive (card %(card)s, amount %(amount)s).", card=self.name, amount=amount
                )
            )
        if amount > wallet_math.MAX_MOVEMENT:
            raise UserError(
                self.env._(
                    "%(amount)s is more than one movement of card %(card)s may move: split it, or ask a manager.",
                    amount=amount,
                    card=self.name,
                )
            )
        if not wallet_math.has_precision(amount, self.currency_id.decimal_places):
            raise UserError(
                self.env._(
                    "%(amount)s has more decimals than %(currency)s has (card %(card)s).",
                    amount=amount,
                    currency=self.currency_id.name,
                    card=self.name,
                )
            )

    @api.model
    def _check_typed_amounts(self, vals_list, cards=None):
        """Check the ``amount`` of wizard values as typed, before a currency field rounds it (0.005, NaN).

        The card is the one the values name, else ``cards`` (the wizards written), else the context's.
        """
        for vals in vals_list:
            if "amount" in vals:
                card = self.browse(vals.get("card_id") or self.env.context.get("default_card_id"))
                for target in cards or card:
                    target._check_amount(vals["amount"])

    def _check_usable(self, company=None, currency=None, allow_frozen=False):
        """Raise unless this card can move money now, for ``company`` in ``currency``."""
        self.ensure_one()
        if self.state == "draft":
            raise UserError(self.env._("Card %(card)s is not activated yet.", card=self.name))
        if self.state == "frozen" and not allow_frozen:
            raise UserError(self.env._("Card %(card)s is frozen: a manager must unfreeze it first.", card=self.name))
        if self.state == "closed":
            raise UserError(self.env._("Card %(card)s is closed.", card=self.name))
        if company and company != self.company_id:
            raise UserError(
                self.env._(
                    "Card %(card)s belongs to %(card_company)s and cannot be used for %(company)s.",
                    card=self.name,
                    card_company=self.company_id.name,
                    company=company.name,
                )
            )
        if currency and currency != self.currency_id:
            raise UserError(
                self.env._(
                    "Card %(card)s holds %(card_currency)s, not %(currency)s.",
                    card=self.name,
                    card_currency=self.currency_id.name,
                    currency=currency.name,
                )
            )

    def _check_pin(self, pin):
        """Raise unless ``pin`` opens this card; count every try, locking the PIN after too many.

        Each try is counted before the PIN is compared, in a transaction of its own that commits at
        once: the error rolling back the caller's work does not roll the count back, two guesses at
        once count twice, and the try never waits for a lock the caller holds on the card (its row
        is not written; see :meth:`_lock`).
        """
        self.ensure_one()
        card = self.sudo()  # pin_hash is hidden from everybody but system administrators
        if not card.pin_hash:
            return
        if not pin:
            raise UserError(self.env._("Card %(card)s asks for its PIN.", card=self.name))
        Attempt = self.env["stored.value.pin.attempt"]
        attempt_id, failures = Attempt._count_try(self)
        self.invalidate_recordset(["pin_failed_attempts", "pin_locked"])
        allowed = self.company_id.stored_value_pin_max_attempts
        if failures > allowed:
            raise UserError(
                self.env._(
                    "The PIN of card %(card)s is locked after too many wrong tries: ask a manager.", card=self.name
                )
            )
        if PIN_CONTEXT.verify(str(pin), card.pin_hash):
            Attempt._mark_right(self, attempt_id)
            self.invalidate_recordset(["pin_failed_attempts", "pin_locked"])
            return
        raise UserError(
            self.env._("Wrong PIN for card %(card)s: %(left)s tries left.", card=self.name, left=allowed - failures)
        )

    def _reset_pin_attempts(self):
        self.env["stored.value.pin.attempt"]._reset(self)
        self.invalidate_recordset(["pin_failed_attempts", "pin_locked"])

    def _lock(self, touch=False):
        """Lock the cards' rows until the end of the transaction and read their balances afresh.

        A plain ``FOR UPDATE`` waits for a concurrent payment on the same card. When that one commits,
        PostgreSQL refuses this transaction's stale snapshot (serialization failure) and the request
        starts again, which then sees the new balance: a POS sync at once (``pos.order.sync_from_ui``),
        other requests through Odoo's retry. The second cashier waits a moment, and is refused only if
        the balance no longer covers the payment.

        ``touch`` also updates the rows, for work that writes elsewhere (messages, to-dos on the card):
        a request that waited for it then starts again on fresh data instead of repeating what it wrote.
        """
        if self:
            # NO KEY UPDATE, as an UPDATE of the balances takes: PIN tries (rows referencing the card)
            # are still counted by other transactions while a payment holds the card.
            self.env.cr.execute(
                SQL("SELECT id FROM stored_value_card WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(self.ids))
            )
            if touch:
                self.env.cr.execute(
                    SQL(
                        "UPDATE stored_value_card SET write_date = now() AT TIME ZONE 'UTC' WHERE id IN %s",
                        tuple(self.ids),
                    )
                )
            self.invalidate_recordset()

    def _replayed_entry(self, key, entry_type, amount, source_ref=None):
        """The entry already booked under ``key``, if any; a key reused for another movement is refused.

        ``source_ref`` (``"model,id"``), when the document is known before booking, must be the one the
        entry was booked for: the same key from another document is not a replay.
        """
        entry = self.env["stored.value.ledger"].sudo().search([("idempotency_key", "=", key)], limit=1)
        if entry and (
            entry.card_id != self
            or entry.entry_type != entry_type
            or self.currency_id.compare_amounts(abs(entry.amount), abs(amount))
            or (source_ref and f"{entry.source_ref._name},{entry.source_ref.id}" != source_ref)
        ):
            raise UserError(
                self.env._(
                    "The request key %(key)s was already used for another movement (%(entry)s).",
                    key=key,
                    entry=entry.name,
                )
            )
        return entry.sudo(False)

    # ------------------------------------------------------------------
    # Movements
    # ------------------------------------------------------------------

    def _post_movement(self, entry_type, principal, bonus, key, **values):
        """Append one ledger entry of signed ``principal`` and ``bonus`` and move the balances with it.

        The caller has locked the card (:meth:`_lock`) and checked what the movement may do. The entry
        says where and by whom it was made, from its ``source_ref`` and the user booking
        (``stored.value.served.mixin._served_values``).
        """
        self.ensure_one()
        currency = self.currency_id
        principal_after = currency.round(self.principal_balance + principal)
        bonus_after = currency.round(self.bonus_balance + bonus)
        if currency.compare_amounts(principal_after, 0) < 0 or currency.compare_amounts(bonus_after, 0) < 0:
            raise UserError(
                self.env._(
                    "Card %(card)s holds %(balance)s: not enough for this movement.",
                    card=self.name,
                    balance=self._format_amount(self.balance),
                )
            )
        now = fields.Datetime.now()
        Ledger = self.env["stored.value.ledger"]
        # Where and by whom, from the source document or the user booking: never from the caller's values.
        served = Ledger._served_values(values.get("source_ref"), self.company_id)
        # The ledger is written by this method only; users have no create right on it.
        entry = Ledger.sudo().create(
            {
                "card_id": self.id,
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "currency_id": currency.id,
                "entry_type": entry_type,
                "principal_amount": currency.round(principal),
                "bonus_amount": currency.round(bonus),
                "principal_balance_after": principal_after,
                "bonus_balance_after": bonus_after,
                "idempotency_key": key,
                "user_id": self.env.uid,
                "date": now,
                **values,
                **served,
            }
        )
        self.env.cr.execute(
            SQL(
                """UPDATE stored_value_card
                      SET principal_balance = %(principal)s, bonus_balance = %(bonus)s, balance = %(balance)s,
                          last_movement_date = %(now)s, write_uid = %(uid)s, write_date = %(now)s
                    WHERE id = %(id)s""",
                principal=principal_after,
                bonus=bonus_after,
                balance=currency.round(principal_after + bonus_after),
                now=now,
                uid=self.env.uid,
                id=self.id,
            )
        )
        self.invalidate_recordset(["principal_balance", "bonus_balance", "balance", "last_movement_date"])
        # A top-up is announced once, with its bonus; a reissue once, on the new card.
        if entry_type not in ("topup", "bonus", "reissue_out"):
            entry._notify_holder()
        return entry.sudo(False)

    def _bonus_rules_for(self, amount, date=None):
        """``[(rule, bonus)]`` that a top-up of ``amount`` on this card earns now."""
        self.ensure_one()
        rules = self.env["stored.value.bonus.rule"]._applicable(self.company_id, amount, date)
        candidates = [
            (rule, wallet_math.bonus_for_rule(amount, rule.bonus_type, rule.bonus_value, self.currency_id.round))
            for rule in rules
        ]
        return wallet_math.choose_bonuses(
            candidates, stack=self.company_id.stored_value_bonus_stacking, keep=lambda rule: rule._has_gifts()
        )

    def _top_up_gift_descriptions(self, rules):
        """What ``rules`` give besides money, one line each, for the previews; addons with gifts add theirs."""
        return []

    def _give_top_up_gifts(self, top_up, rules):
        """Give what ``rules`` give besides money for the ``top_up`` entry just booked (once per entry).

        Called in the top-up's transaction: a top-up refused or rolled back gives nothing.
        """

    def _top_up(self, amount, journal, key):
        """Take ``amount`` paid into ``journal`` onto the card, with the bonus its rules give.

        The payment is booked against the company's customer-deposits account. Returns the ledger
        entries (top-up first, then one per bonus rule); a replayed ``key`` returns the first ones.
        """
        self.ensure_one()
        currency = journal.currency_id or journal.company_id.currency_id
        replay = self._lock_and_check_top_up(amount, key, journal.company_id, currency)
        if replay:
            return replay
        # sudo: the payment is the accounting side of a top-up, which this user is allowed to make.
        payment = (
            self.env["account.payment"]
            .sudo()
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.partner_id.id,
                    "amount": amount,
                    "currency_id": self.currency_id.id,
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "destination_account_id": self.company_id._stored_value_deposit_account().id,
                    "memo": self.env._("Top-up of card %(card)s", card=self.name),
                }
            )
        )
        payment.action_post()
        return self._book_top_up(amount, key, move_id=payment.move_id.id, source_ref=f"account.payment,{payment.id}")

    def _credit_top_up(self, amount, key, company=None, currency=None, **values):
        """Top up a card whose money was taken and accounted elsewhere (a POS order line on deposits)."""
        self.ensure_one()
        return self._lock_and_check_top_up(
            amount, key, company, currency, values.get("source_ref")
        ) or self._book_top_up(amount, key, **values)

    def _lock_and_check_top_up(self, amount, key, company, currency, source_ref=None):
        """Check and lock for a top-up; return the entries already booked under ``key``, if any."""
        self._check_amount(amount)
        if self.state == "draft":  # selling a new card is its first top-up
            self._set_state("active")
        self._check_usable(company=company, currency=currency)
        self._lock()
        replay = self._replayed_entry(key, "topup", amount, source_ref)
        if replay:
            return replay | self.env["stored.value.ledger"].search([("idempotency_key", "=like", f"{key}/bonus/%")])
        return None

    def _book_top_up(self, amount, key, **values):
        """Post the top-up, the bonus and gifts of every rule it earns; announce it to the holder."""
        entries = self._post_movement("topup", amount, 0.0, key, **values)
        today = fields.Date.context_today(self)
        bonuses = self._bonus_rules_for(amount)
        for rule, bonus in bonuses:
            if self.currency_id.is_zero(bonus):  # a rule giving only gifts
                continue
            entries |= self._post_movement(
                "bonus",
                0.0,
                bonus,
                f"{key}/bonus/{rule.id}",
                bonus_rule_id=rule.id,
                bonus_expiry_date=rule.validity_days and fields.Date.add(today, days=rule.validity_days),
                source_ref=values.get("source_ref"),
            )
        self._give_top_up_gifts(entries[:1], [rule for rule, _bonus in bonuses])
        entries[:1]._notify_holder()
        return entries

    def _spend(self, amount, key, pin=None, company=None, currency=None, pin_verified=False, **values):
        """Take ``amount`` from the card, principal and bonus in the company's spending order.

        Returns the ledger entry; a replayed ``key`` returns the first one and books nothing. The caller
        books the accounting side (a stored-value payment, a POS session's closing entry).
        ``pin_verified`` says the PIN was checked earlier (at the POS terminal, see :meth:`pos_verify_pin`).
        """
        self.ensure_one()
        self._check_amount(amount)
        source_ref = values.get("source_ref")
        replay = self._replayed_entry(key, "spend", amount, source_ref)
        if replay:
            return replay
        self._check_usable(company=company, currency=currency)
        if not pin_verified:
            self._check_pin(pin)
        self._lock()
        # booked by the transaction this one waited for
        replay = self._replayed_entry(key, "spend", amount, source_ref)
        if replay:
            return replay
        self._check_usable(company=company, currency=currency)
        from_principal, from_bonus = self._split_debit(amount)
        return self._post_movement("spend", -from_principal, -from_bonus, key, **values)

    def _split_debit(self, amount):
        """``(principal, bonus)`` to take for ``amount`` in the spending order; refused beyond the balance.

        The caller holds the card's lock, so the balance it checks is the one the debit will change.
        """
        if self.currency_id.compare_amounts(amount, self.balance) > 0:
            raise UserError(
                self.env._(
                    "Card %(card)s holds %(balance)s, less than the %(amount)s asked.",
                    card=self.name,
                    balance=self._format_amount(self.balance),
                    amount=self._format_amount(amount),
                )
            )
        return wallet_math.split_spend(
            amount,
            self.principal_balance,
            self.bonus_balance,
            self.company_id.stored_value_spend_order,
            self.currency_id.round,
        )

    def _credit_back(self, entry_type, principal, bonus, key, company=None, currency=None, **values):
        """Credit the card (a refund to the wallet): frozen cards take money back too."""
        self.ensure_one()
        self._check_amount(principal + bonus)
        self._check_usable(company=company, currency=currency, allow_frozen=True)
        self._lock()
        replay = self._replayed_entry(key, entry_type, principal + bonus, values.get("source_ref"))
        if replay:
            return replay
        return self._post_movement(entry_type, principal, bonus, key, **values)

    def _compensate(self, bonus, reason, key, **values):
        """Credit ``bonus`` as a goodwill gesture (a complaint settled), with its reason.

        It is promotional credit, like a top-up bonus: nothing is owed until it is spent, when it is
        booked as a promotion expense. Frozen cards take it too.
        """
        self.ensure_one()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why card %(card)s is compensated.", card=self.name))
        return self._credit_back("compensation", 0.0, bonus, key, reason=reason, **values)

    def _gift_bonus(self, bonus, reason, key):
        """Credit ``bonus`` as a gift to the holder (birthday, tier welcome, referral), with its reason.

        Promotional credit, like a top-up bonus: booked as a promotion expense when spent, never refunded.
        """
        self.ensure_one()
        return self._credit_back("bonus", 0.0, bonus, key, reason=reason)

    @api.model
    def _gift_wallet(self, partner, company, currency):
        """The card that takes a gift of bonus for ``partner``: their oldest active card of ``company`` in
        ``currency``, else a frozen one (a gift is credit, which frozen cards take); empty if none."""
        return self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("state", "in", ("active", "frozen")),
                ("company_id", "=", company.id),
                ("currency_id", "=", currency.id),
            ],
            order="state, id",
            limit=1,
        )

    def _refund_figures(self):
        """``(refund, deduction)``: the cash the holder gets back, and the spent bonus kept from it."""
        self.ensure_one()
        deduction = 0.0
        if self.company_id.stored_value_refund_deduct_bonus:
            spent = self.env["stored.value.ledger"]._read_group(
                # What the holder spent before the card was reissued counts too.
                [("card_id", "in", self._with_replaced_cards().ids), ("entry_type", "in", ("spend", "reversal"))],
                [],
                ["bonus_amount:sum"],
            )[0][0]
            deduction = min(max(-spent, 0.0) + self._refund_gift_deduction(), self.principal_balance)
        return self.currency_id.round(self.principal_balance - deduction), self.currency_id.round(deduction)

    def _refund_gift_deduction(self):
        """What the gifts of the card's top-ups the holder already used are worth, kept from a refund when
        the policy deducts spent bonus; addons with gifts count theirs."""
        return 0.0

    def _take_back_top_up_gifts(self, refund):
        """Take back the gifts of the top-ups the ``refund`` entry pays back; addons with gifts do."""

    def _cash_refund(self, journal, key, close=True):
        """Pay the unspent principal back (refund policy applied); the remaining bonus is forfeited."""
        self.ensure_one()
        self._check_manager()
        self._check_usable(company=journal.company_id, allow_frozen=True)
        self._lock()
        replay = self._replayed_entry(key, "cash_refund", self.balance)
        if replay:
            return replay
        if self.currency_id.is_zero(self.balance):
            raise UserError(self.env._("Card %(card)s holds nothing to refund.", card=self.name))
        refund, deduction = self._refund_figures()
        # sudo: the refund payment and entries are the accounting side of a refund the manager may make.
        payment = self.env["account.payment"].sudo()
        if not self.currency_id.is_zero(refund):
            payment = payment.create(
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "partner_id": self.partner_id.id,
                    "amount": refund,
                    "currency_id": self.currency_id.id,
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "destination_account_id": self.company_id._stored_value_deposit_account().id,
                    "memo": self.env._("Refund of card %(card)s", card=self.name),
                }
            )
            payment.action_post()
        entry = self._post_movement(
            "cash_refund",
            -self.principal_balance,
            -self.bonus_balance,
            key,
            move_id=payment.move_id.id,
            source_ref=payment and f"account.payment,{payment.id}",
            reason=self.env._(
                "Refunded %(refund)s; spent bonus deducted %(deduction)s.",
                refund=self._format_amount(refund),
                deduction=self._format_amount(deduction),
            ),
        )
        if not self.currency_id.is_zero(deduction):
            self._post_deposit_move(entry, -deduction, journal)
        self._take_back_top_up_gifts(entry)
        if close:
            self._set_state("closed")
        return entry

    def _adjust(self, principal, bonus, reason, key):
        """A manager's correction of the balances, with its reason; principal moves the liability."""
        self.ensure_one()
        self._check_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the balance of card %(card)s is adjusted.", card=self.name))
        if self.currency_id.is_zero(principal) and self.currency_id.is_zero(bonus):
            raise UserError(self.env._("An adjustment must change the principal or the bonus."))
        self._check_usable(allow_frozen=True)
        self._lock()
        replay = self._replayed_entry(key, "adjustment", principal + bonus)
        if replay:
            return replay
        entry = self._post_movement("adjustment", principal, bonus, key, reason=reason)
        if not self.currency_id.is_zero(principal):
            self._post_deposit_move(entry, principal, self.company_id._stored_value_journal())
        return entry

    def _transfer(self, target, amount, key):
        """Move ``amount`` to ``target``, principal and bonus in the spending order; returns both entries."""
        self.ensure_one()
        if target == self:
            raise UserError(self.env._("Choose another card to transfer to."))
        self._check_amount(amount)
        self._check_usable()
        target._check_usable(company=self.company_id, currency=self.currency_id)
        (self | target)._lock()
        replay = self._replayed_entry(key, "transfer_out", amount)
        if replay:
            return replay | self.env["stored.value.ledger"].search([("idempotency_key", "=", f"{key}/in")])
        principal, bonus = self._split_debit(amount)
        outgoing = self._post_movement(
            "transfer_out", -principal, -bonus, key, source_ref=f"stored.value.card,{target.id}"
        )
        incoming = target._post_movement(
            "transfer_in", principal, bonus, f"{key}/in", source_ref=f"stored.value.card,{self.id}"
        )
        if self.partner_id != target.partner_id and not self.currency_id.is_zero(principal):
            self._post_deposit_move(
                outgoing, principal, self.company_id._stored_value_journal(), to_partner=target.partner_id
            )
        return outgoing | incoming

    def _post_deposit_move(self, entry, amount, journal, to_partner=None, counterpart=None, date=None):
        """Book a change of ``amount`` in what is owed to the holder (negative: owed less), on ``date``.

        The counterpart is the deposits of ``to_partner`` for a transfer, else the ``counterpart``
        account, else the bonus expense account (spent bonus, adjustments, refund deductions).
        """
        company = self.company_id
        if to_partner:
            counterpart = (company._stored_value_deposit_account(), to_partner)
        else:
            counterpart = (counterpart or company._stored_value_expense_account(), self.partner_id)
        return company._stored_value_post_deposit_move(
            journal,
            self.partner_id,
            amount,
            *counterpart,
            ref=self.env._("%(entry)s on card %(card)s", entry=entry.name, card=self.name),
            date=date,
            stored_value_ledger_id=entry.id,
        )

    # ------------------------------------------------------------------
    # Masking (see stored.value.reveal)
    # ------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_display_name(self):
        result = super()._compute_display_name()
        hidden = self.env["stored.value.reveal"]._hidden_card_ids(self)
        for card in self:
            if card._origin.id in hidden:
                card.display_name = card.masked_number
        return result

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        hidden = "name" in fnames and result and self.env["stored.value.reveal"]._hidden_card_ids(self)
        if hidden:
            for values in result:
                if values["id"] in hidden:
                    values["name"] = masking.mask_card_number(values["name"])
        return result

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        self.env["stored.value.reveal"]._check_grouping(self._name, [*groupby, *aggregates], ("name",))
        return super()._read_group(
            domain, groupby=groupby, aggregates=aggregates, having=having, offset=offset, limit=limit, order=order
        )

    def _stored_value_reveal_numbers(self, terms, reason):
        """Reveal to a masked user the holders of these cards whose whole number is one of ``terms``."""
        for card in self.filtered(lambda card: card.name in terms):
            card.partner_id._stored_value_reveal(reason, card=card)

    @api.model
    def _stored_value_reveal_searched(self, domain, offset=0, limit=None, order=None):
        """Reveal to a masked user the cards a search finds by their exact number, and their holders."""
        if not self.env["stored.value.reveal"]._masks_current_user():
            return
        terms = {
            condition.value.strip()
            for condition in Domain(domain or []).iter_conditions()
            if condition.field_expr in ("name", "display_name")
            and isinstance(condition.value, str)
            and condition.value.strip()
        }
        if terms:
            self.search(domain, offset=offset, limit=limit, order=order)._stored_value_reveal_numbers(terms, "search")

    def _stored_value_reveal_named(self, name):
        self._stored_value_reveal_numbers({name}, "search")

    # ------------------------------------------------------------------
    # Point of Sale
    # ------------------------------------------------------------------

    @api.model
    def _load_pos_data_domain(self, data, config):
        partner_ids = [partner["id"] for partner in data.get("res.partner", [])]
        return [*self._pos_usable_domain(config), ("partner_id", "in", partner_ids)]

    @api.model
    def _load_pos_data_fields(self, config):
        return [
            "id",
            "name",
            "partner_id",
            "state",
            "currency_id",
            "balance",
            "principal_balance",
            "bonus_balance",
            "has_pin",
            "masked_number",
            "write_date",
        ]

    @api.model
    def _pos_usable_domain(self, config):
        return [
            ("company_id", "=", config.company_id.id),
            ("currency_id", "=", config.currency_id.id),
            ("state", "in", ("active", "frozen")),
        ]

    @api.model
    def _pos_config(self, config_id):
        """The shop ``config_id`` names, if this user may read it; a malformed id is refused, not a traceback."""
        config = self.env["pos.config"].browse(config_id) if is_record_id(config_id) else self.env["pos.config"]
        if not config.exists():
            raise UserError(self.env._("%(config)s is not a Point of Sale.", config=config_id))
        config.check_access("read")
        return config

    def _check_pos_user(self):
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(self.env._("Only Point of Sale users can use cards at a terminal."))

    @api.model
    def pos_search_cards(self, config_id, code=None, partner_id=None):
        """POS: the cards matching a scanned or typed number (or of a customer), with their holders.

        Balances come fresh from the database, so a terminal refreshes what it cached.
        """
        self._check_pos_user()
        config = self._pos_config(config_id)
        domain = self._pos_usable_domain(config)
        if isinstance(code, str) and code.strip():
            domain += [("name", "=", code.strip())]
        elif is_record_id(partner_id):
            domain += [("partner_id", "=", partner_id)]
        else:
            return {}
        cards = self.search(domain, limit=20)
        if code:  # the number was scanned or typed whole: the cashier serves its holder
            cards._stored_value_reveal_numbers({code.strip()}, "scan")
        return {
            "stored.value.card": self._load_pos_data_read(cards, config),
            "res.partner": self.env["res.partner"]._load_pos_data_read(cards.partner_id, config),
        }

    def pos_verify_pin(self, pin, order_uuid, payment_uuid, amount):
        """POS: check the PIN the holder typed for one payment line; return the proof the order carries.

        The order reaches the server later (maybe offline), so the PIN itself is never sent with it. The
        proof lets this card pay at most ``amount`` in that payment of that order, once, for a short while.
        """
        self.ensure_one()
        self._check_pos_user()
        self.check_access("read")
        check_uuid(self.env, order_uuid)
        check_uuid(self.env, payment_uuid)
        self._check_amount(amount)
        # A card that cannot pay gets no proof, and its PIN is not tried (a closed number is refused for good).
        self._check_usable()
        self._check_pin(pin)
        return self._pos_pin_token(order_uuid, payment_uuid, amount, int(time.time()) + POS_PIN_PROOF_SECONDS)

    def _pos_pin_token(self, order_uuid, payment_uuid, amount, expiry):
        amount = float_repr(self.currency_id.round(amount), self.currency_id.decimal_places)
        signature = hmac(
            self.env(su=True), "stored_value_crm.pos_pin", f"{self.id}:{order_uuid}:{payment_uuid}:{amount}:{expiry}"
        )
        return f"{amount}:{expiry}:{signature}"

    def _pos_pin_token_problem(self, order_uuid, payment_uuid, amount, token):
        """Why ``token`` does not let this card pay ``amount`` in that payment of that order; None if it does."""
        if not self.has_pin:
            return None
        parts = (token or "").split(":")
        if len(parts) != 3 or not parts[1].isdigit():
            return self.env._("The PIN of card %(card)s was not checked at the terminal.", card=self.name)
        allowed, expiry, _signature = parts
        try:
            allowed = float(allowed)
        except ValueError:
            allowed = 0.0
        if not consteq(token, self._pos_pin_token(order_uuid, payment_uuid, allowed, int(expiry))):
            return self.env._("The PIN of card %(card)s was not checked at the terminal.", card=self.name)
        if int(expiry) < time.time():
            return self.env._(
                "The PIN of card %(card)s was checked too long before the order reached the server.", card=self.name
            )
        if self.currency_id.compare_amounts(amount, allowed) > 0:
            return self.env._(
                "The holder of card %(card)s typed the PIN for %(allowed)s, not for %(amount)s.",
                card=self.name,
                allowed=self._format_amount(allowed),
                amount=self._format_amount(amount),
            )
        return None

    def pos_report_lost(self, loss_reason):
        """POS: the holder reports the card ``lost``, ``stolen`` or ``damaged``; it is frozen at once."""
        self.ensure_one()
        self._check_pos_user()
        self.check_access("read")
        # sudo: freezing protects the holder, so a cashier may, without the right to write cards.
        self.sudo()._report_lost(loss_reason)
        return True

    def pos_reissue(self, pin, request_uuid, stock_number=None):
        """POS: give the holder, who typed the card's PIN, a new card number (``stock_number``: a
        pre-printed one) with the whole balance; returns the new card's ``id`` and ``name``.

        ``request_uuid`` keys the movement: a terminal re-sending the request gets the same new card.
        """
        self.ensure_one()
        self._check_pos_user()
        self.check_access("read")
        check_uuid(self.env, request_uuid)
        if stock_number is not None and not isinstance(stock_number, str):
            raise UserError(self.env._("%(number)s is not a card number.", number=stock_number))
        if self.has_pin:
            self._check_pin(pin if isinstance(pin, str) else None)
        elif not self._is_manager():
            raise UserError(
                self.env._(
                    "Reissue Card on card %(card)s needs a stored-value manager: the card has no PIN the holder "
                    "could type.",
                    card=self.name,
                )
            )
        reason = self.env._("Reissued at the Point of Sale by %(user)s.", user=self.env.user.name)
        # sudo: the holder typed the PIN (or a manager asked); a cashier has no right to write cards.
        new_card = self.sudo()._reissue(f"pos.reissue/{request_uuid}", reason, stock_number=stock_number or None)
        # The cashier hands the holder the new number.
        self.partner_id._stored_value_reveal("counter", card=new_card.with_env(self.env))
        return {"id": new_card.id, "name": new_card.name}

    def pos_top_up_preview(self, amount):
        """POS: what a top-up of ``amount`` would add, as ``{bonus, rules, gifts, balance_after}``."""
        self.ensure_one()
        self._check_pos_user()
        self.check_access("read")
        self._check_amount(amount)
        bonuses = self._bonus_rules_for(amount)
        bonus = self.currency_id.round(sum(value for _rule, value in bonuses))
        return {
            "bonus": bonus,
            "rules": [rule.name for rule, _value in bonuses],
            "gifts": self._top_up_gift_descriptions([rule for rule, _value in bonuses]),
            "balance_after": self.currency_id.round(self.balance + amount + bonus),
        }

    def _expire_bonus(self, today):
        """Expire what is left of each bonus credit whose validity ended before ``today`` (oldest spent first)."""
        self.ensure_one()
        self._lock()
        Ledger = self.env["stored.value.ledger"]
        entries = Ledger.search([("card_id", "=", self.id)], order="id")
        credits = entries.filtered(lambda entry: entry.bonus_amount > 0).sorted(
            lambda entry: (not entry.bonus_expiry_date, entry.bonus_expiry_date or today, entry.id)
        )
        consumed = -sum(entry.bonus_amount for entry in entries if entry.bonus_amount < 0)
        left = wallet_math.remaining_in_batches([entry.bonus_amount for entry in credits], consumed)
        expired = Ledger
        for credit, remaining in zip(credits, left, strict=True):
            if (
                credit.bonus_expiry_date
                and credit.bonus_expiry_date < today
                and not self.currency_id.is_zero(remaining)
            ):
                expired |= self._post_movement("bonus_expiry", 0.0, -remaining, f"expiry/{credit.id}")
        return expired

    @api.model
    def _cron_expire_bonus(self, batch_size=200):
        """Expire bonus credits past their date, card by card, committing progress."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT credit.card_id FROM stored_value_ledger credit
                     JOIN stored_value_card card ON card.id = credit.card_id AND card.bonus_balance > 0
                    WHERE credit.bonus_amount > 0 AND credit.bonus_expiry_date < %s
                      AND NOT EXISTS (SELECT 1 FROM stored_value_ledger expiry
                                       WHERE expiry.idempotency_key = 'expiry/' || credit.id)
                    ORDER BY credit.card_id""",
                today,
            )
        )
        card_ids = [row[0] for row in self.env.cr.fetchall()]
        cards = self.browse(card_ids).filtered(lambda card: card.state != "closed")
        for start in range(0, len(cards), batch_size):
            for card in cards[start : start + batch_size]:
                card._expire_bonus(today)
            self.env["ir.cron"]._commit_progress(
                len(cards[start : start + batch_size]), remaining=max(len(cards) - start - batch_size, 0)
            )

    @api.model
    def _demo_load_movements(self):
        """Demo data: top-ups with bonus, invoices paid from cards and a frozen card, booked as users book them."""
        gold = self.env.ref("stored_value_crm.demo_card_gold")
        journal = self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", gold.company_id.id)], limit=1
        )
        if not journal:  # a database without a chart of accounts has nothing to pay with
            return
        regular = self.env.ref("stored_value_crm.demo_card_regular")
        frozen = self.env.ref("stored_value_crm.demo_card_frozen")
        gold._top_up(5000, journal, "demo/gold/topup")
        regular._top_up(200, journal, "demo/regular/topup")
        frozen._top_up(100, journal, "demo/frozen/topup")
        for card, price in ((gold, 680.0), (regular, 35.5)):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": card.partner_id.id,
                    "invoice_line_ids": [fields.Command.create({"name": "Haircut and care", "price_unit": price})],
                }
            )
            invoice.action_post()
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"journal_id": card.company_id._stored_value_journal().id, "stored_value_card_id": card.id}
            )._create_payments()
        frozen.action_freeze()
        shop = self.env.ref("point_of_sale.pos_config_main", raise_if_not_found=False)
        if shop and not shop.current_session_id:
            shop.payment_method_ids |= gold.company_id._stored_value_pos_payment_method()

    @api.model
    def _cron_send_reminders(self, batch_size=500):
        """Remind holders of a low balance, or of a dormant one, once each time, by the channels they
        consented to."""
        self.env.flush_all()
        Partner = self.env["res.partner"].with_context(active_test=False)
        contactable = Partner._search(Partner._stored_value_reachable_domain())
        self.env.cr.execute(
            SQL(
                """SELECT card.id,
                          card.balance < company.stored_value_low_balance
                          AND (card.low_balance_notified_date IS NULL
                               OR card.low_balance_notified_date < card.last_movement_date) AS low,
                          COALESCE(card.last_movement_date, card.create_date)
                              <= (now() AT TIME ZONE 'UTC') - make_interval(days => company.stored_value_dormant_days)
                          AND (card.dormant_notified_date IS NULL
                               OR card.dormant_notified_date < COALESCE(card.last_movement_date, card.create_date))
                              AS dormant
                     FROM stored_value_card card
                     JOIN res_company company ON company.id = card.company_id
                     JOIN res_partner holder ON holder.id = card.partner_id
                    WHERE card.state = 'active' AND card.balance > 0
                      AND holder.id IN %s""",
                contactable.subselect(),
            )
        )
        # A dormant card gets the dormant reminder, which also tells its balance; else a low one.
        due = [
            (card_id, "dormant" if dormant else "low")
            for card_id, low, dormant in self.env.cr.fetchall()
            if low or dormant
        ]
        reminders = {
            "low": ("low_balance", "low_balance_notified_date"),
            "dormant": ("dormant", "dormant_notified_date"),
        }
        Message = self.env["stored.value.message"]
        for start in range(0, len(due), batch_size):
            batch = due[start : start + batch_size]
            now = fields.Datetime.now()
            for kind, (message_type, notified_field) in reminders.items():
                card_ids = [card_id for card_id, due_kind in batch if due_kind == kind]
                if not card_ids:
                    continue
                Message._dispatch(message_type, self.browse(card_ids))
                # Marked in the transaction that queued the messages: a rerun reminds nobody twice.
                self.env.cr.execute(
                    SQL(
                        "UPDATE stored_value_card SET %s = %s WHERE id IN %s",
                        SQL.identifier(notified_field),
                        now,
                        tuple(card_ids),
                    )
                )
            self.invalidate_model(["low_balance_notified_date", "dormant_notified_date"])
            self.env["ir.cron"]._commit_progress(len(batch), remaining=len(due) - start - len(batch))

    # ------------------------------------------------------------------
    # Audit
    # ------------------------------------------------------------------

    def _ledger_discrepancies(self):
        """``{card: message}`` of the cards in ``self`` (all when empty) whose balances differ from the ledger."""
        card_filter = SQL("WHERE card.id IN %s", tuple(self.ids)) if self else SQL()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT card.id, card.principal_balance, card.bonus_balance,
                          COALESCE(SUM(entry.principal_amount), 0), COALESCE(SUM(entry.bonus_amount), 0)
                     FROM stored_value_card card
                LEFT JOIN stored_value_ledger entry ON entry.card_id = card.id
                       %s
                 GROUP BY card.id
                   HAVING card.principal_balance != COALESCE(SUM(entry.principal_amount), 0)
                       OR card.bonus_balance != COALESCE(SUM(entry.bonus_amount), 0)""",
                card_filter,
            )
        )
        return {
            self.browse(card_id): self.env._(
                "Card %(card)s: stored principal %(principal)s and bonus %(bonus)s, "
                "but its ledger sums to principal %(ledger_principal)s and bonus %(ledger_bonus)s.",
                card=self.browse(card_id).name,
                principal=principal,
                bonus=bonus,
                ledger_principal=ledger_principal,
                ledger_bonus=ledger_bonus,
            )
            for card_id, principal, bonus, ledger_principal, ledger_bonus in self.env.cr.fetchall()
        }

    @api.model
    def _cron_check_ledger(self):
        """Compare every card with its ledger; give a manager a to-do on each card that differs."""
        discrepancies = self.browse()._ledger_discrepancies()
        summary = self.env._("Ledger mismatch")
        for card, message in discrepancies.items():
            if not card.activity_ids.filtered(lambda activity: activity.summary == summary):
                card.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=summary,
                    note=message,
                    user_id=card.company_id._stored_value_manager().id,
                )
        return discrepancies
