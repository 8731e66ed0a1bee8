from odoo import api, fields, models
from odoo.tools import SQL


class StoredValuePinAttempt(models.Model):
    """One PIN typed for a card, counted before it is compared; the lock-out counts the wrong ones.

    Rows are written by SQL in a transaction of their own (:meth:`_count_try`), so that a wrong try
    stays counted when the caller's request fails, and so that counting never waits for the card's
    row lock (a row referencing the card only takes a key-share lock on it).
    """

    _name = "stored.value.pin.attempt"
    _description = "Stored-Value PIN Try"
    _order = "id desc"

    card_id = fields.Many2one("stored.value.card", required=True, index=True, ondelete="cascade", readonly=True)
    user_id = fields.Many2one("res.users", string="Typed By", required=True, readonly=True)
    result = fields.Selection(
        [("failed", "Wrong"), ("success", "Right"), ("reset", "Unlocked or Changed")], required=True, readonly=True
    )

    def _on_own_transaction(self, card, work):
        """Run ``work(cr)`` in a transaction committed at once; on the caller's cursor when ``card`` is not
        committed yet (there is nothing to roll back to then)."""
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("SELECT 1 FROM stored_value_card WHERE id = %s", card.id))
            if cr.fetchone():
                return work(cr)
        return work(self.env.cr)

    def _insert_query(self, card, result):
        return SQL(
            """INSERT INTO stored_value_pin_attempt (card_id, user_id, result, create_uid, write_uid, create_date,
                                                     write_date)
               VALUES (%(card)s, %(uid)s, %(result)s, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC',
                       now() AT TIME ZONE 'UTC')
            RETURNING id""",
            card=card.id,
            uid=self.env.uid,
            result=result,
        )

    @api.model
    def _count_try(self, card):
        """Count a try on ``card`` as wrong until proven right; return its id and the wrong tries now counted.

        The count is read after the try is committed, in a new snapshot, so that it includes every try
        committed at the same time.
        """

        def insert(cr):
            cr.execute(self._insert_query(card, "failed"))
            return cr.fetchone()[0]

        def count(cr):
            cr.execute(self._failures_query([card.id]))
            return dict(cr.fetchall()).get(card.id, 0)

        # Two transactions: the count's snapshot starts after the try is committed.
        attempt_id = self._on_own_transaction(card, insert)
        return attempt_id, self._on_own_transaction(card, count)

    @api.model
    def _mark_right(self, card, attempt_id):
        self._on_own_transaction(
            card,
            lambda cr: cr.execute(
                SQL("UPDATE stored_value_pin_attempt SET result = 'success' WHERE id = %s", attempt_id)
            ),
        )
        self.invalidate_model(["result"])

    @api.model
    def _reset(self, cards):
        """Forget the wrong tries of ``cards`` (a manager unlocked them, or the PIN changed)."""
        for card in cards:
            self.env.cr.execute(self._insert_query(card, "reset"))

    @api.model
    def _failures_query(self, card_ids=None):
        card_filter = SQL("AND try.card_id = ANY(%s)", list(card_ids)) if card_ids is not None else SQL()
        return SQL(
            """SELECT try.card_id, COUNT(*) FROM stored_value_pin_attempt try
                WHERE try.result = 'failed' %s
                  AND try.id > COALESCE((SELECT MAX(last.id) FROM stored_value_pin_attempt last
                                          WHERE last.card_id = try.card_id
                                            AND last.result IN ('success', 'reset')), 0)
             GROUP BY try.card_id""",
            card_filter,
        )

    @api.model
    def _failures_of(self, card_ids=None):
        """``{card id: wrong tries since the last right one or reset}`` for ``card_ids`` (all cards when None)."""
        self.flush_model()
        self.env.cr.execute(self._failures_query(card_ids))
        return dict(self.env.cr.fetchall())
