from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class LoyaltyPointBatch(models.Model):
    """Points earned at once (an order, a top-up, a birthday), spent oldest first and expiring on a date.

    A batch is written once; only what is left of it (``remaining``) moves, under the card's lock, as
    points are spent or expire. Each earning is booked once per ``source_key``.
    """

    _name = "loyalty.point.batch"
    _inherit = ["stored.value.guard", "stored.value.served.mixin"]
    _description = "Loyalty Point Batch"
    _order = "expiry_date, id"
    _rec_name = "source_key"

    _source_key_unique = models.Constraint("UNIQUE(source_key)", "These points were already booked (same source key).")
    _points_positive = models.Constraint(
        "CHECK(points > 0 AND remaining >= 0 AND remaining <= points)",
        "A batch earns positive points, and what is left of it lies between nothing and all of it.",
    )

    card_id = fields.Many2one("loyalty.card", required=True, index=True, ondelete="cascade", readonly=True)
    # Precomputed: a batch is inserted with them, not updated after (one statement less per booking).
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True, precompute=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True, precompute=True)
    company_id = fields.Many2one(related="card_id.company_id", store=True, precompute=True)
    points = fields.Float(string="Earned", required=True, readonly=True)
    remaining = fields.Float(string="Left", required=True, readonly=True)
    earn_date = fields.Date(string="Earned On", required=True, readonly=True, index=True)
    expiry_date = fields.Date(string="Expires On", readonly=True, index=True)
    source_key = fields.Char(string="Source", required=True, readonly=True)  # indexed by its unique constraint
    description = fields.Char(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("used", "Used"), ("expired", "Expired")], required=True, default="open", readonly=True
    )
    reminder_sent = fields.Boolean(readonly=True)

    # Every field: only the card's posting code creates a batch and moves what is left of it (the
    # related ones too, which would write through to the card). Odoo's own code never books batches,
    # even in sudo.
    _protected_fields = frozenset(
        {
            "card_id",
            "partner_id",
            "program_id",
            "company_id",
            "points",
            "remaining",
            "earn_date",
            "expiry_date",
            "source_key",
            "description",
            "state",
            "reminder_sent",
            "pos_config_id",
            "crm_team_id",
            "employee_id",
        }
    )

    @api.model
    def _served_values_of_key(self, key, company):
        """Where and by whom the points of batch key ``key`` were earned, from the document the key names.

        Keys start with their source: an order or invoice (``pos.order,7/...``), a top-up
        (``stored.value.topup/<its ledger key>``) or its gift (``stored.value.ledger,3/gift/...``), whose
        ledger entry already says it; other sources (birthdays, referrals, ...) are the booking user's.
        """
        source = key.rsplit("/card/", 1)[0]
        Ledger = self.env["stored.value.ledger"].sudo()
        entry = Ledger.browse()
        if source.startswith("stored.value.topup/"):
            entry = Ledger.search([("idempotency_key", "=", source.removeprefix("stored.value.topup/"))], limit=1)
        elif source.startswith("stored.value.ledger,"):
            entry = Ledger._served_document(source.split("/", 1)[0])
        if entry:
            return {name: entry[name].id for name in ("pos_config_id", "crm_team_id", "employee_id")}
        document = source.split("/", 1)[0]
        if document.partition(",")[0] not in ("pos.order", "sale.order", "account.move"):
            document = None
        return self._served_values(document, company)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Point batches cannot be deleted: correct points with a reversing entry."))

    def _set_remaining(self, remaining_by_batch, state=None):
        """Move what is left of batches (``{batch: remaining}``); the caller holds their cards' lock."""
        by_values = defaultdict(self.browse)
        for batch, remaining in remaining_by_batch.items():
            by_values[remaining, state or ("open" if remaining > 0 else "used")] |= batch
        for (remaining, batch_state), batches in by_values.items():
            batches.sudo()._posting().write({"remaining": remaining, "state": batch_state})

    @api.model
    def _cron_expire_points(self, batch_size=200):
        """Expire the points left in batches past their date, card by card, committing each batch of cards.

        A killed run resumes where it stopped: an expired batch has nothing left, in the transaction
        that books its expiry.
        """
        today = fields.Date.context_today(self)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT card_id FROM loyalty_point_batch
                    WHERE state = 'open' AND remaining > 0 AND expiry_date < %s ORDER BY card_id""",
                today,
            )
        )
        card_ids = [row[0] for row in self.env.cr.fetchall()]
        Card = self.env["loyalty.card"].sudo()  # the cron expires the points of every company
        for start in range(0, len(card_ids), batch_size):
            cards = Card.browse(card_ids[start : start + batch_size])
            cards._expire_points(today)
            remaining = len(card_ids) - start - len(cards)
            if not self.env["ir.cron"]._commit_progress(len(cards), remaining=remaining):
                break

    @api.model
    def _cron_send_expiry_reminders(self, batch_size=200):
        """Remind members whose points expire within their programme's reminder delay, once per batch, by the
        channels they consented to."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        Partner = self.env["res.partner"].with_context(active_test=False)
        contactable = Partner._search(Partner._stored_value_reachable_domain())
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT batch.card_id FROM loyalty_point_batch batch
                     JOIN loyalty_program program ON program.id = batch.program_id
                     JOIN res_partner partner ON partner.id = batch.partner_id
                    WHERE batch.state = 'open' AND batch.remaining > 0 AND batch.reminder_sent IS NOT TRUE
                      AND program.point_expiry_reminder_days > 0
                      AND batch.expiry_date >= %(today)s
                      AND batch.expiry_date <= %(today)s::date + program.point_expiry_reminder_days
                      AND partner.id IN %(contactable)s
                    ORDER BY batch.card_id""",
                today=today,
                contactable=contactable.subselect(),
            )
        )
        card_ids = [row[0] for row in self.env.cr.fetchall()]
        Card = self.env["loyalty.card"].sudo()  # members of every company
        for start in range(0, len(card_ids), batch_size):
            batch_ids = card_ids[start : start + batch_size]
            self.env["stored.value.message"]._dispatch("points_expiring", Card.browse(batch_ids))
            # Marked in the transaction that queued the messages: a rerun sends nothing twice.
            self.env.cr.execute(
                SQL(
                    """UPDATE loyalty_point_batch batch SET reminder_sent = TRUE
                         FROM loyalty_program program
                        WHERE program.id = batch.program_id AND batch.card_id IN %(cards)s
                          AND batch.state = 'open' AND batch.remaining > 0
                          AND batch.expiry_date <= %(today)s::date + program.point_expiry_reminder_days""",
                    cards=tuple(batch_ids),
                    today=today,
                )
            )
            self.invalidate_model(["reminder_sent"])
            if not self.env["ir.cron"]._commit_progress(
                len(batch_ids), remaining=len(card_ids) - start - len(batch_ids)
            ):
                break
