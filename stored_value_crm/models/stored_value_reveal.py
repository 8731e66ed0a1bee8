from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

# How long a member found by their exact number stays shown in full to the user who found them.
REVEAL_MINUTES = 30
REVEAL_REASONS = [
    ("search", "Searched by the exact number"),
    ("scan", "Card scanned or typed at the POS"),
    ("counter", "Served at the counter"),
]


def writes_reveals(method):
    """Mark an override of a read-only RPC method (a search) as read/write: an exact match writes a reveal."""
    method._readonly = False
    return method


class StoredValueReveal(models.Model):
    """A member's phone, email and card numbers shown in full to one user, for a short while.

    Cashiers and stored-value users who are not stored-value managers see members (partners holding a
    card that is not closed) masked: ``138****5678``, ``z***@example.com``, ``•••• 1234``. Finding a
    member by the exact full phone, email or card number, scanning their card, or serving them at the
    counter writes one of these rows: the member and their cards are then shown in full to that user
    until it expires. The rows stay as the trail of who saw whose data, when and why.

    Masking only changes what leaves the server to the client (``read``, ``web_read``, the POS loaders):
    Python code reading the records sees the real values.
    """

    _name = "stored.value.reveal"
    _description = "Member Data Shown in Full"
    _order = "id desc"
    _rec_name = "partner_id"

    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Member", required=True, index=True, readonly=True, ondelete="cascade"
    )
    card_id = fields.Many2one(
        "stored.value.card", readonly=True, ondelete="set null", help="The card scanned or searched."
    )
    reason = fields.Selection(REVEAL_REASONS, required=True, readonly=True)
    expires_at = fields.Datetime(string="Shown Until", required=True, index=True, readonly=True)

    # ------------------------------------------------------------------
    # Who sees masks, and whose data is masked
    # ------------------------------------------------------------------

    @api.model
    def _masks_current_user(self):
        """Whether the current user sees members masked: a cashier or stored-value user, not a manager."""
        user = self.env.user
        return (
            user.has_group("stored_value_crm.group_stored_value_user") or user.has_group("point_of_sale.group_pos_user")
        ) and not user.has_group("stored_value_crm.group_stored_value_manager")

    @api.model
    def _member_ids(self, partner_ids):
        """The ids among ``partner_ids`` of members: partners holding a card that is not closed."""
        # sudo: whether a partner holds a card (in any company) decides only whether their data is masked.
        cards = (
            self.env["stored.value.card"]
            .sudo()
            .search_fetch([("partner_id", "in", list(partner_ids)), ("state", "!=", "closed")], ["partner_id"])
        )
        return set(cards.partner_id.ids)

    @api.model
    def _revealed_partner_ids(self, partner_ids):
        """The ids among ``partner_ids`` shown in full to the current user now."""
        # sudo: users cannot read the trail; they only learn which of the records they read are revealed.
        reveals = self.sudo().search_fetch(
            [
                ("user_id", "=", self.env.uid),
                ("partner_id", "in", list(partner_ids)),
                ("expires_at", ">", fields.Datetime.now()),
            ],
            ["partner_id"],
        )
        return set(reveals.partner_id.ids)

    @api.model
    def _hidden_partner_ids(self, partners):
        """The ids of ``partners`` whose phone and email the current user sees masked."""
        partner_ids = {partner_id for partner_id in partners._origin.ids if partner_id}
        if not partner_ids or not self._masks_current_user():
            return set()
        members = self._member_ids(partner_ids)
        return members - self._revealed_partner_ids(members) if members else set()

    @api.model
    def _hidden_card_ids(self, cards):
        """The ids of ``cards`` whose number the current user sees masked: all but those of revealed holders."""
        cards = cards._origin.filtered("id")
        if not cards or not self._masks_current_user():
            return set()
        # sudo: the holder of a card the user reads, to know whether it is revealed to them.
        holders = {card.id: card.partner_id.id for card in cards.sudo()}
        revealed = self._revealed_partner_ids(set(holders.values()))
        return {card_id for card_id, holder_id in holders.items() if holder_id not in revealed}

    @api.model
    def _check_grouping(self, model, specs, masked_fields):
        """Refuse a masked user groups or aggregates of ``masked_fields`` of ``model``: their values
        would leave the server unmasked as group labels."""
        names = {spec.split(":")[0].split(".")[0] for spec in specs if isinstance(spec, str)}
        refused = sorted(names & set(masked_fields))
        if refused and self._masks_current_user():
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are masked for you: they cannot be grouped or listed in a report.",
                    fields=", ".join(self.env[model]._fields[name]._description_string(self.env) for name in refused),
                    model=self.env[model]._description,
                )
            )

    # ------------------------------------------------------------------
    # Revealing
    # ------------------------------------------------------------------

    @api.model
    def _reveal(self, partners, reason, card=None):
        """Show ``partners`` and their cards in full to the current user for :data:`REVEAL_MINUTES`.

        Nothing is written for users who see everything. A reveal still running is extended instead of
        repeated. Takes effect at once, in the same transaction.
        """
        partners = partners._origin.filtered("id")
        if not partners or not self._masks_current_user():
            return self.browse()
        expires_at = fields.Datetime.now() + timedelta(minutes=REVEAL_MINUTES)
        # sudo: the trail is not the user's to write; only the server's exact-match checks reveal.
        Reveal = self.sudo()
        running = Reveal.search(
            Domain("user_id", "=", self.env.uid)
            & Domain("partner_id", "in", partners.ids)
            & Domain("expires_at", ">", fields.Datetime.now())
        )
        running.write({"expires_at": expires_at})
        reveals = running | Reveal.create(
            [
                {
                    "user_id": self.env.uid,
                    "partner_id": partner.id,
                    "card_id": card.id if card and card.partner_id == partner else False,
                    "reason": reason,
                    "expires_at": expires_at,
                }
                for partner in partners - running.partner_id
            ]
        )
        # Display names computed before now showed masks.
        self.env["stored.value.card"].invalidate_model(["display_name"])
        partners.invalidate_recordset(["display_name"])
        return reveals
