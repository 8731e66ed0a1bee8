import base64
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..tools import masking
from ..tools.keys import check_uuid, is_record_id
from .stored_value_consent import CONSENT_CHANNELS, CONSENT_SOURCES

# What leaves the server masked for a member the user has not found by number (see stored.value.reveal).
MASKED_FIELDS = {
    "phone": masking.mask_phone,
    "phone_sanitized": masking.mask_phone,
    "email": masking.mask_email,
    "email_normalized": masking.mask_email,
    "email_formatted": masking.mask_formatted_email,
    "invoice_emails": masking.mask_emails,
}
# Searched values of these fields are compared with the found members' numbers: an exact one reveals.
SEARCHED_NUMBER_FIELDS = frozenset(
    {
        "phone",
        "phone_sanitized",
        "phone_mobile_search",
        "email",
        "email_normalized",
        "name",
        "complete_name",
        "display_name",
        "stored_value_card_ids",
        "stored_value_card_ids.name",
    }
)
# A masked user may not save these with a mask still in them: it would overwrite the real value.
MASK_GUARDED_FIELDS = ("phone", "email")
# The address a channel reaches the customer at.
CONSENT_ADDRESS_FIELDS = {"email": "email", "sms": "phone", "phone": "phone"}
# Contact data that anonymisation replaces; later addons add theirs in ``_stored_value_anonymised_values``.
ANONYMISED_FIELDS = (
    "email",
    "phone",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "vat",
    "website",
    "function",
    "comment",
    "ref",
    "barcode",
    "image_1920",
)


class ResPartner(models.Model):
    _name = "res.partner"
    # The mixin first, so that its searches come before those of the addons loaded before this one.
    _inherit = ["stored.value.revealing.search", "res.partner"]

    stored_value_card_ids = fields.One2many("stored.value.card", "partner_id", string="Stored-Value Cards")
    # Consent to be contacted, per channel: the last row of the history, which only
    # _stored_value_set_consent writes. Computed, so that no client (nor Odoo's contact merge) writes it.
    stored_value_consent_ids = fields.One2many(
        "stored.value.consent",
        "partner_id",
        string="Consent History",
        groups="stored_value_crm.group_stored_value_manager",
    )
    stored_value_consent_email = fields.Boolean(
        string="Email Consent",
        compute="_compute_stored_value_consent",
        store=True,
        help="The customer agreed to receive emails: card movements, statements, reminders, surveys.",
    )
    stored_value_consent_email_date = fields.Datetime(
        string="Email Consent Changed On", compute="_compute_stored_value_consent", store=True
    )
    stored_value_consent_sms = fields.Boolean(string="SMS Consent", compute="_compute_stored_value_consent", store=True)
    stored_value_consent_sms_date = fields.Datetime(
        string="SMS Consent Changed On", compute="_compute_stored_value_consent", store=True
    )
    stored_value_consent_phone = fields.Boolean(
        string="Phone Consent",
        compute="_compute_stored_value_consent",
        store=True,
        help="The customer agreed to be called: follow-up calls.",
    )
    stored_value_consent_phone_date = fields.Datetime(
        string="Phone Consent Changed On", compute="_compute_stored_value_consent", store=True
    )
    stored_value_card_count = fields.Integer(compute="_compute_stored_value_balance", groups="base.group_user")
    stored_value_balance = fields.Monetary(
        string="Stored Value",
        compute="_compute_stored_value_balance",
        groups="base.group_user",
        help="What the partner's active and frozen cards hold, in the company currency.",
    )
    stored_value_next_followup_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
        help="Deadline of the earliest open follow-up a plan scheduled for this customer.",
    )
    stored_value_next_followup_plan_id = fields.Many2one(
        "stored.value.followup.plan",
        string="Next Follow-up Plan",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
    )
    stored_value_next_followup_summary = fields.Char(
        string="Next Follow-up Summary",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
    )

    @api.depends("stored_value_card_ids.balance", "stored_value_card_ids.state")
    def _compute_stored_value_balance(self):
        cards = self.env["stored.value.card"].search(
            [("partner_id", "in", self.ids), ("company_id", "in", self.env.companies.ids)]
        )
        for partner in self:
            own = cards.filtered(lambda card, partner=partner: card.partner_id == partner)
            partner.stored_value_card_count = len(own)
            partner.stored_value_balance = sum(
                card.currency_id._convert(card.balance, self.env.company.currency_id, card.company_id)
                for card in own.filtered(lambda card: card.state in ("active", "frozen"))
            )

    def _compute_stored_value_next_followup(self):
        activities = self.env["mail.activity"].search(  # earliest deadline first
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self._origin.ids),
                ("stored_value_followup_plan_id", "!=", False),
            ]
        )
        next_followups = {}
        for activity in activities:
            next_followups.setdefault(activity.res_id, activity)
        for partner in self:
            activity = next_followups.get(partner._origin.id, activities.browse())
            partner.stored_value_next_followup_date = activity.date_deadline
            partner.stored_value_next_followup_plan_id = activity.stored_value_followup_plan_id
            partner.stored_value_next_followup_summary = activity.summary

    # ------------------------------------------------------------------
    # Consent to be contacted (per channel)
    # ------------------------------------------------------------------

    @api.depends("stored_value_consent_ids.granted", "stored_value_consent_ids.date")
    def _compute_stored_value_consent(self):
        # sudo: the current consent is on the partner for every user; the history itself is for managers.
        history = (
            self.env["stored.value.consent"]
            .sudo()
            .search([("partner_id", "in", self._origin.ids)], order="date desc, id desc")
        )
        last = {}
        for row in history:
            last.setdefault((row.partner_id.id, row.channel), row)
        for partner in self:
            for channel, _label in CONSENT_CHANNELS:
                row = last.get((partner._origin.id, channel))
                partner[f"stored_value_consent_{channel}"] = bool(row and row.granted)
                partner[f"stored_value_consent_{channel}_date"] = row.date if row else False

    def _stored_value_set_consent(self, consents, source, pos_config=None, note=None):
        """Record the customers' choices ``{channel: bool}`` (channels ``email``, ``sms``, ``phone``), said
        at ``source`` (``pos``, ``backoffice``, ``portal``, ``signup``, ``import``), at the terminal
        ``pos_config`` if any.

        The one door of consent: a history row is written for each channel whose value changes; channels
        left out stay as they are. The caller checks who may record it (the cashier at the till, the
        customer on the portal, a stored-value user in the back office). Returns the new history rows.
        """
        channels = dict(CONSENT_CHANNELS)
        if source not in dict(CONSENT_SOURCES):
            raise UserError(self.env._("Unknown consent source “%(given)s”.", given=source))
        if not isinstance(consents, dict):
            raise UserError(self.env._("Consents are given as a dictionary of channels and yes/no values."))
        for channel, granted in consents.items():
            if channel not in channels:
                raise UserError(
                    self.env._(
                        "Unknown contact channel “%(channel)s”: use %(channels)s.",
                        channel=channel,
                        channels=", ".join(channels),
                    )
                )
            if not isinstance(granted, bool):
                raise UserError(
                    self.env._(
                        "The consent for %(channel)s must be yes or no, not “%(value)s”.",
                        channel=channels[channel],
                        value=granted,
                    )
                )
        if pos_config is not None and (getattr(pos_config, "_name", None) != "pos.config" or len(pos_config) != 1):
            raise UserError(self.env._("The consent was given at one point of sale: pass its configuration."))
        company = pos_config.company_id if pos_config else self.env.company
        now = fields.Datetime.now()
        values = [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "channel": channel,
                "granted": granted,
                "date": now,
                "source": source,
                "user_id": self.env.user.id,
                "pos_config_id": pos_config.id if pos_config else False,
                "note": note or False,
            }
            for partner in self
            for channel, granted in consents.items()
            if partner[f"stored_value_consent_{channel}"] != granted
        ]
        # sudo: the history is written only here, after the checks above, whoever records the choice
        # (a cashier or a portal customer has no right on the history itself).
        return self.env["stored.value.consent"].sudo()._posting().create(values)

    def _stored_value_contactable_domain(self, channel):
        """The customers we may contact by ``channel`` (``email``, ``sms``, ``phone``): they consented and
        gave an address for it. Shared by every message the suite sends."""
        if channel not in dict(CONSENT_CHANNELS):
            raise UserError(self.env._("Unknown contact channel “%(channel)s”.", channel=channel))
        return Domain(f"stored_value_consent_{channel}", "=", True) & Domain(
            CONSENT_ADDRESS_FIELDS[channel], "not in", [False, ""]
        )

    def _stored_value_salesperson_in(self, company):
        """The customer's salesperson if they can work for ``company`` (an active internal user of it)."""
        self.ensure_one()
        salesperson = self.user_id
        usable = salesperson.active and not salesperson.share and company in salesperson.company_ids
        return salesperson if usable else salesperson.browse()

    def _stored_value_reachable_domain(self):
        """The customers we may contact by at least one channel."""
        return Domain.OR(self._stored_value_contactable_domain(channel) for channel in CONSENT_ADDRESS_FIELDS)

    def _stored_value_may_contact(self, channel):
        """The partners of ``self`` we may contact by ``channel``."""
        domain = self._stored_value_contactable_domain(channel)
        # Only the consent and the address, not whole contacts: a night's tier review asks for thousands.
        self.fetch([f"stored_value_consent_{channel}", CONSENT_ADDRESS_FIELDS[channel]])
        return self.filtered_domain(domain)

    @api.model
    def _stored_value_consenting_recipients(self, recipients):
        """Odoo's notification ``recipients`` (``_notify_get_recipients``) of a card or a case, without the
        customers (partners of no internal user) who did not consent to emails: a message posted there
        reaches a customer by email only with their consent. Staff are notified as usual."""
        customer_ids = [r["id"] for r in recipients if r["notif"] == "email" and r["share"] and r["id"]]
        allowed = self.browse(customer_ids)._stored_value_may_contact("email").ids
        return [r for r in recipients if not (r["id"] in customer_ids and r["id"] not in allowed)]

    @api.model_create_multi
    def create(self, vals_list):
        self._check_stored_value_consent_fields(vals_list)
        self._check_no_mask_saved(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if self:  # an empty write stays a no-op: Odoo's contact merge writes every model
            self._check_stored_value_consent_fields([vals])
            self._check_no_mask_saved([vals])
        return super().write(vals)

    def _check_stored_value_consent_fields(self, vals_list):
        consent_fields = {
            name
            for channel, _label in CONSENT_CHANNELS
            for name in (f"stored_value_consent_{channel}", f"stored_value_consent_{channel}_date")
        }
        refused = sorted({name for vals in vals_list for name in vals if name in consent_fields})
        if refused:
            raise AccessError(
                self.env._(
                    "%(fields)s change only when the customer's choice is recorded (Record Consent), never directly.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in refused),
                )
            )

    # ------------------------------------------------------------------
    # Privacy (PIPL/GDPR): export everything the suite holds, anonymise on request
    # ------------------------------------------------------------------

    def _check_stored_value_privacy_manager(self):
        if not self.env.user.has_group("stored_value_crm.group_stored_value_manager"):
            raise AccessError(
                self.env._("Only a stored-value manager may export or anonymise a customer's personal data.")
            )

    @api.model
    def _stored_value_export_rows(self, records, field_names):
        """``records`` as a list of plain values (a relation by its name), for the export file."""
        rows = []
        for values in records.read(field_names):
            rows.append(
                {
                    name: value[1] if isinstance(value, tuple) else value
                    for name, value in values.items()
                    if not isinstance(value, list)
                }
            )
        return rows

    def _stored_value_privacy_export(self):
        """``{section: rows}``: everything the suite holds about this customer.

        Later addons add their sections: ``data = super()._stored_value_privacy_export(); data[...] = ...``.
        Called as superuser by :meth:`action_stored_value_privacy_export` once the manager is checked.
        """
        self.ensure_one()
        cards = self.env["stored.value.card"].search([("partner_id", "=", self.id)])
        contact_fields = [
            "name",
            "email",
            "phone",
            "street",
            "street2",
            "zip",
            "city",
            "state_id",
            "country_id",
            "vat",
            "lang",
            "create_date",
        ]
        return {
            "contact": self._stored_value_export_rows(self, contact_fields),
            "consent_history": self._stored_value_export_rows(
                self.stored_value_consent_ids,
                ["date", "channel", "granted", "source", "user_id", "pos_config_id", "company_id", "note"],
            ),
            "stored_value_cards": self._stored_value_export_rows(
                cards,
                [
                    "name",
                    "company_id",
                    "currency_id",
                    "state",
                    "principal_balance",
                    "bonus_balance",
                    "balance",
                    "create_date",
                ],
            ),
            "stored_value_ledger": self._stored_value_export_rows(
                self.env["stored.value.ledger"].search([("card_id", "in", cards.ids)], order="date, id"),
                [
                    "name",
                    "card_id",
                    "date",
                    "entry_type",
                    "principal_amount",
                    "bonus_amount",
                    "amount",
                    "balance_after",
                    "currency_id",
                    "reason",
                ],
            ),
            "messages": self._stored_value_export_rows(
                self.env["stored.value.message"].search([("partner_id", "=", self.id)], order="id"),
                ["create_date", "message_type", "channel", "state", "sent_date", "cancel_reason", "company_id"],
            ),
        }

    def action_stored_value_privacy_export(self):
        """A stored-value manager downloads one JSON file of everything the suite holds about the customer."""
        self.ensure_one()
        self._check_stored_value_privacy_manager()
        # sudo: the manager, checked above, exports data of every addon, which their own groups may not read.
        data = self.sudo()._stored_value_privacy_export()
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str, sort_keys=True)
        # Attached to no record: only the manager who exported it may download it (Odoo's rule for
        # attachments without a record), not everyone who reads the customer.
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Personal data of %(partner)s.json", partner=self.display_name),
                "type": "binary",
                "datas": base64.b64encode(content.encode()),
                "mimetype": "application/json",
            }
        )
        self._message_log(body=self.env._("Personal data exported by %(user)s.", user=self.env.user.name))
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "new"}

    def _stored_value_anonymised_values(self):
        """The values that replace this customer's personal data; later addons add their fields."""
        self.ensure_one()
        values = {name: False for name in ANONYMISED_FIELDS if name in self._fields}
        values["name"] = self.env._("Anonymised customer %(number)s", number=self.id)
        return values

    def _stored_value_anonymise(self):
        """Forget this customer: replace their personal data, withdraw every consent, archive their
        portal account. Ledgers, balances and journal entries keep every amount. Later addons extend it
        (survey answers, birthday). Runs as superuser once the manager and the cards are checked."""
        self.ensure_one()
        contacts = (self | self.with_context(active_test=False).child_ids).with_context(active_test=False)
        internal = contacts.user_ids.filtered(lambda user: not user.share)
        if internal:
            raise UserError(
                self.env._(
                    "%(partner)s is the contact of the user %(user)s: remove or archive that user first.",
                    partner=self.display_name,
                    user=internal[0].name,
                )
            )
        log = self._stored_value_privacy_log()
        contacts._stored_value_set_consent(
            dict.fromkeys(dict(CONSENT_CHANNELS), False), "backoffice", note=self.env._("Anonymised")
        )
        fields_to_forget = set()
        for contact in contacts:
            values = contact._stored_value_anonymised_values()
            fields_to_forget |= set(values)
            contact.with_context(tracking_disable=True).write(values)
        # Past changes in the chatter would still show the old email, phone and address.
        self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "in", contacts.ids),
                ("field_id.name", "in", [*fields_to_forget, "contact_address_inline"]),
            ]
        ).unlink()
        portal_users = contacts.user_ids.filtered("share")
        if portal_users:
            portal_users._deactivate_portal_user()
        log.execution_details = self.env._(
            "Anonymised by %(user)s: name, contact data and addresses replaced, every consent withdrawn, "
            "portal account archived; ledgers and balances unchanged.",
            user=self.env.user.name,
        )
        self._message_log(
            body=self.env._(
                "Personal data anonymised by %(user)s on %(date)s at the customer's request.",
                user=self.env.user.name,
                date=fields.Datetime.to_string(fields.Datetime.now()),
            )
        )

    def _stored_value_privacy_log(self):
        """Odoo's privacy log of this request, listing the other records that name the customer (orders,
        messages...) as Odoo's Privacy Lookup finds them, for the manager to review."""
        self.ensure_one()
        records = ""
        if self.email_normalized:
            wizard = self.env["privacy.lookup.wizard"].create({"name": self.name, "email": self.email})
            wizard.action_lookup()
            records = wizard.records_description
        log = self.env["privacy.log"].create(
            {
                "anonymized_name": self.name,
                "anonymized_email": self.email_normalized or "-@-",
                "records_description": records,
                "additional_note": self.env._("Right to be forgotten (customer %(number)s)", number=self.id),
            }
        )
        return log

    def action_stored_value_anonymise(self):
        """Right to be forgotten, for a stored-value manager: refused while a card of the customer still
        holds value, which must be refunded or settled first (the business would owe an unknown person)."""
        self._check_stored_value_privacy_manager()
        # sudo: the manager, checked above, anonymises data of every addon and company.
        for partner in self.sudo():
            cards = partner.env["stored.value.card"].search([("partner_id", "in", (partner | partner.child_ids).ids)])
            cards._lock()
            holding = cards.filtered(lambda card: not card.currency_id.is_zero(card.balance))
            if holding:
                raise UserError(
                    self.env._(
                        "%(partner)s still holds value on %(cards)s: refund or settle the balance first, then "
                        "anonymise. Ledgers keep every amount; a forgotten customer cannot be owed money.",
                        partner=partner.display_name,
                        cards=", ".join(holding.mapped("name")),
                    )
                )
            partner._stored_value_anonymise()
        return True

    def action_view_stored_value_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.stored_value_card_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Masking (see stored.value.reveal)
    # ------------------------------------------------------------------

    def _stored_value_reveal(self, reason="counter", card=None):
        """Show these partners and their cards in full to the current user for a short while.

        For code that finds or creates a member for the user serving them (the POS new-member flow):
        ``reason`` is ``counter``, ``search`` or ``scan``; ``card`` the card that was used, if any.
        Reads later in the same transaction (``_load_pos_data_read``, ``web_read``) already see it.
        """
        return self.env["stored.value.reveal"]._reveal(self, reason, card=card)

    @api.depends_context("uid")
    def _compute_display_name(self):
        result = super()._compute_display_name()
        if self.env.context.get("show_email"):
            hidden = self.env["stored.value.reveal"]._hidden_partner_ids(self)
            for partner in self:
                if partner._origin.id in hidden and partner.email:
                    masked = masking.mask_email(partner.email)
                    partner.display_name = partner.display_name.replace(partner.email, masked)
        return result

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        masked = [name for name in fnames if name in MASKED_FIELDS]
        hidden = masked and result and self.env["stored.value.reveal"]._hidden_partner_ids(self)
        if hidden:
            for values in result:
                if values["id"] in hidden:
                    values.update({name: MASKED_FIELDS[name](values[name]) for name in masked})
        return result

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        self.env["stored.value.reveal"]._check_grouping(self._name, [*groupby, *aggregates], MASKED_FIELDS)
        return super()._read_group(
            domain, groupby=groupby, aggregates=aggregates, having=having, offset=offset, limit=limit, order=order
        )

    def _check_no_mask_saved(self, vals_list):
        if not self.env["stored.value.reveal"]._masks_current_user():
            return
        for vals in vals_list:
            for name in MASK_GUARDED_FIELDS:
                if masking.holds_mask(vals.get(name)):
                    raise UserError(
                        self.env._(
                            "%(field)s %(value)s still shows the mask: type the full value, or leave it as it is.",
                            field=self._fields[name]._description_string(self.env),
                            value=vals[name],
                        )
                    )

    @api.model
    def _stored_value_searched_terms(self, domain):
        """The text values a search ``domain`` compares with a number, an email or a name."""
        terms = set()
        for condition in Domain(domain or []).iter_conditions():
            values = condition.value if isinstance(condition.value, (list, tuple, set)) else [condition.value]
            if condition.field_expr in SEARCHED_NUMBER_FIELDS:
                terms.update(value.strip() for value in values if isinstance(value, str) and value.strip())
        return terms

    def _stored_value_exact_matches(self, terms):
        """These partners whose whole phone, email or card number is one of ``terms``."""
        # sudo: the numbers of cards found are only compared with what the user typed.
        cards = self.env["stored.value.card"].sudo().search_fetch([("partner_id", "in", self.ids)], ["name"])
        return self.filtered(
            lambda partner: any(
                masking.is_same_phone(term, partner.phone)
                or masking.is_same_email(term, partner.email)
                or any(card.partner_id == partner and card.name == term for card in cards)
                for term in terms
            )
        )

    @api.model
    def _stored_value_reveal_searched(self, domain, offset=0, limit=None, order=None):
        """Reveal to a masked user the partners a search finds by their exact phone, email or card number."""
        Reveal = self.env["stored.value.reveal"]
        if not Reveal._masks_current_user():
            return
        terms = self._stored_value_searched_terms(domain)
        if terms:
            found = self.search(domain, offset=offset, limit=limit, order=order)
            found._stored_value_exact_matches(terms)._stored_value_reveal("search")

    def _stored_value_reveal_named(self, name):
        self._stored_value_exact_matches({name})._stored_value_reveal("search")

    # ------------------------------------------------------------------
    # Point of Sale
    # ------------------------------------------------------------------

    @api.model
    def get_new_partner(self, config_id, domain, offset):
        """The POS's customer search also finds customers by card number, and brings their cards along.

        A member whose whole phone, email or card number was searched is shown in full to a masked cashier.
        """
        self._stored_value_reveal_searched(domain, offset=offset, limit=100)
        result = super().get_new_partner(config_id, domain, offset)
        config = self.env["pos.config"].browse(config_id)
        Card = self.env["stored.value.card"]
        partner_ids = [partner["id"] for partner in result["res.partner"]]
        cards = Card.search([*Card._pos_usable_domain(config), ("partner_id", "in", partner_ids)])
        result["stored.value.card"] = Card._load_pos_data_read(cards, config)
        return result

    # ------------------------------------------------------------------
    # Opening a member card at the counter (办卡)
    # ------------------------------------------------------------------

    @api.model
    def _stored_value_member_keys(self):
        """What a counter sends about a new member; a later addon adds its own (a birthday)."""
        return {"name", "phone", "email", "consent", "stock_number"}

    @api.model
    def _stored_value_member_values(self, values, company):
        """Check what the counter typed about a new member; return it cleaned: the contact's values under
        ``partner`` (mobile in E.164), ``consent`` per channel and the pre-printed ``stock_number``."""
        if not isinstance(values, dict) or set(values) - self._stored_value_member_keys():
            raise UserError(self.env._("The POS sent the new member's data in a form the server cannot read."))
        name = values.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UserError(self.env._("Type the new member's name."))
        phone = self._stored_value_member_phone(values.get("phone"), company)
        email = values.get("email") or False
        if email and not (isinstance(email, str) and email_normalize(email)):
            raise UserError(self.env._("%(email)s is not an email address.", email=str(email)[:80]))
        consent = values.get("consent") or {}
        channels = dict(CONSENT_CHANNELS)
        if not isinstance(consent, dict) or any(
            channel not in channels or not isinstance(granted, bool) for channel, granted in consent.items()
        ):
            raise UserError(self.env._("The POS sent the new member's consent in a form the server cannot read."))
        stock_number = values.get("stock_number") or None
        if stock_number is not None and not isinstance(stock_number, str):
            raise UserError(self.env._("%(number)s is not a card number.", number=str(stock_number)[:40]))
        return {
            "partner": {"name": name.strip()[:128], "phone": phone, "email": email and email.strip()},
            "consent": consent,
            "stock_number": stock_number and stock_number.strip(),
        }

    @api.model
    def _stored_value_member_phone(self, phone, company):
        """``phone`` in E.164 (with the company's country for a national number), or a translated refusal."""
        if not isinstance(phone, str) or not phone.strip():
            raise UserError(self.env._("Type the new member's mobile number: it finds them at every visit."))
        formatted = self._phone_format(
            number=phone.strip(), country=company.country_id, force_format="E164", raise_exception=False
        )
        if not formatted:
            raise UserError(
                self.env._(
                    "%(phone)s is not a valid mobile number of %(country)s; for another country, type it with "
                    "its + prefix.",
                    phone=phone.strip()[:40],
                    country=company.country_id.name or "-",
                )
            )
        return formatted

    @api.model
    def _stored_value_customer_with_phone(self, phone, company):
        """The active customer of ``company`` (or shared) with the mobile ``phone`` (E.164), if any: the one
        holding a card of the company first, so that a mobile never gets a second member."""
        # sudo: a cashier may not read every contact; only the one with this exact number is returned.
        customers = self.sudo().search(
            [("phone_sanitized", "=", phone), ("company_id", "in", (company.id, False)), ("type", "=", "contact")],
            order="id",
        )
        holding = customers.filtered(
            lambda partner: partner.stored_value_card_ids.filtered(
                lambda card: card.company_id == company and card.state != "closed"
            )
        )
        return (holding or customers)[:1].sudo(False)

    @api.model
    def _stored_value_open_member(self, member, key, config, pin=None, customer=None):
        """Open a member card at the shop ``config`` for the new member ``member`` (as
        :meth:`_stored_value_member_values` returns it), or for ``customer`` who already has that mobile.

        An existing customer keeps their data (only what is missing is filled in) and the usable card they
        hold, unless a pre-printed card is sold to them. Returns ``(partner, card)``; ``key`` makes it once.
        """
        company, currency = config.company_id, config.currency_id
        if customer:
            missing = {field: value for field, value in member["partner"].items() if value and not customer[field]}
            if missing:
                # sudo: a cashier may not write contacts; only empty fields of the customer served are filled.
                customer.sudo().write(missing)
            partner = customer
        else:
            # sudo: opening a member card is the cashier's job, without the right to create any contact.
            partner = self.sudo().create(member["partner"]).sudo(False)
        # What the member said at the counter; a known customer's earlier choices are only added to,
        # since the cashier asked about the channels they agree to, not about withdrawing any.
        consent = {channel: granted for channel, granted in member["consent"].items() if granted or not customer}
        partner._stored_value_set_consent(consent, "pos", pos_config=config)
        Card = self.env["stored.value.card"]
        held = partner.stored_value_card_ids.filtered(
            lambda card: card.state == "active" and card.company_id == company and card.currency_id == currency
        )
        if customer and held and not member["stock_number"]:
            if pin:
                raise UserError(
                    self.env._(
                        "%(customer)s already holds card %(card)s: its PIN changes only with its current PIN.",
                        customer=partner.name,
                        card=held[:1].masked_number,
                    )
                )
            return partner, held[:1]
        card = Card._issue_member_card(partner, key, company, currency, stock_number=member["stock_number"], pin=pin)
        return partner, card

    @api.model
    def pos_find_member(self, config_id, phone):
        """POS: the customer who has the mobile ``phone``, before a new member is opened with it.

        Returns ``{phone, partner_id, records}``: the mobile in E.164, the existing customer's id (or False)
        and the customer with their cards as the POS loads them.
        """
        Card = self.env["stored.value.card"]
        Card._check_pos_user()
        config = Card._pos_config(config_id)
        phone = self._stored_value_member_phone(phone, config.company_id)
        customer = self._stored_value_customer_with_phone(phone, config.company_id)
        return {
            "phone": phone,
            "partner_id": customer.id,
            "records": self._stored_value_pos_records(customer, config, "search"),
        }

    @api.model
    def pos_open_member(self, config_id, values, request_uuid, pin=None, partner_id=None):
        """POS: open a member card (办卡) for a new customer, or for ``partner_id``, the existing customer
        who has the mobile typed. The holder may choose a ``pin``.

        A mobile that an existing customer has never opens a second member: the answer is then
        ``{status: "existing", partner_id}`` and nothing is written, until the cashier serves that
        customer. Otherwise ``{status: "opened", partner_id, card_id, records}``. ``request_uuid`` keys
        the request: sending it again gives the same card.
        """
        Card = self.env["stored.value.card"]
        Card._check_pos_user()
        config = Card._pos_config(config_id)
        check_uuid(self.env, request_uuid)
        if partner_id not in (None, False) and not is_record_id(partner_id):
            raise UserError(self.env._("%(partner)s is not a customer.", partner=str(partner_id)[:40]))
        if pin is not None and not isinstance(pin, str):
            raise UserError(self.env._("A PIN is 4 to 8 digits."))
        member = self._stored_value_member_values(values, config.company_id)
        key = f"pos.member/{request_uuid}"
        # sudo: issue_key is not readable by counter staff; only this request's own card is looked up.
        replayed = Card.sudo().search([("issue_key", "=", key)], limit=1).sudo(False)
        customer = replayed.partner_id or self._stored_value_customer_with_phone(
            member["partner"]["phone"], config.company_id
        )
        if replayed and customer.phone_sanitized != member["partner"]["phone"]:
            raise UserError(self.env._("This request already opened a card for another customer."))
        if replayed:
            partner_id = customer.id  # the terminal sends again what it sent: it gets what it got
        if customer and partner_id != customer.id:
            if partner_id:
                raise UserError(
                    self.env._(
                        "The customer chosen does not have the mobile %(phone)s.", phone=member["partner"]["phone"]
                    )
                )
            return {
                "status": "existing",
                "partner_id": customer.id,
                "records": self._stored_value_pos_records(customer, config, "search"),
            }
        if partner_id and not customer:
            raise UserError(
                self.env._("The customer chosen does not have the mobile %(phone)s.", phone=member["partner"]["phone"])
            )
        partner, card = (
            (replayed.partner_id, replayed)
            if replayed
            else self._stored_value_open_member(member, key, config, pin=pin or None, customer=customer)
        )
        return {
            "status": "opened",
            "partner_id": partner.id,
            "card_id": card.id,
            "records": self._stored_value_pos_records(partner, config, "counter"),
        }

    @api.model
    def _stored_value_pos_records(self, partner, config, reveal):
        """``partner`` with their usable cards, as the POS loads them (nothing for no partner), shown in
        full to the cashier serving them (``reveal``: why, as :meth:`_stored_value_reveal` takes it)."""
        if not partner:
            return {}
        partner._stored_value_reveal(reveal)
        Card = self.env["stored.value.card"]
        # sudo: the counter serves this customer; their usable cards of the shop are what it shows.
        cards = Card.sudo().search([*Card._pos_usable_domain(config), ("partner_id", "=", partner.id)]).sudo(False)
        return {
            "res.partner": self._load_pos_data_read(partner, config),
            "stored.value.card": Card._load_pos_data_read(cards, config),
        }
