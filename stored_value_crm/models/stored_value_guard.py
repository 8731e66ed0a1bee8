from odoo import api, models
from odoo.exceptions import AccessError

# Opens the door to protected fields. An object, not a string: a context sent over RPC is JSON and
# cannot hold it, so only the suite's own posting code (which imports it) can pass it.
_POSTING = object()


class StoredValueGuard(models.AbstractModel):
    """Fields that hold value (balances, points, holder, PIN, state, booking marks) have one door.

    A model lists them in ``_protected_fields``; ``create`` and ``write`` refuse them with an
    ``AccessError`` for every user and group, unless the call comes through :meth:`_posting`, which
    only the suite's posting code uses (the pattern of ``queue_job``'s protected fields). The ACL that
    lets a cashier open a card must not let them set its balance or its holder.

    ``_protected_create_values`` names the protected fields a new record may be given, with the check
    of their value (an empty card may be created for a holder, in draft).
    """

    _name = "stored.value.guard"
    _description = "Fields Only the Posting Code Writes"

    _protected_fields = frozenset()
    # Superuser code of Odoo's own apps books some protected values itself (loyalty points): a model
    # may let it pass. A remote call never runs as the superuser.
    _protected_superuser_passes = False

    def _posting(self):
        """These records, allowed to write their protected fields: for the suite's posting code only."""
        return self.with_context(stored_value_posting=_POSTING)

    def _protected_open(self):
        return self.env.context.get("stored_value_posting") is _POSTING or (
            self._protected_superuser_passes and self.env.su
        )

    def _protected_create_allowed(self, field_name, value):
        """Whether a new record may be given ``value`` for the protected ``field_name``."""
        return False

    def _check_protected_values(self, vals_list, creating):
        if self._protected_open():
            return
        for vals in vals_list:
            refused = sorted(
                name
                for name in set(vals) & self._protected_fields
                if not (creating and self._protected_create_allowed(name, vals[name]))
            )
            if refused:
                raise AccessError(
                    self.env._(
                        "%(fields)s of %(model)s change only through the suite's checked actions "
                        "(top-up, payment, adjustment, transfer, PIN change, ...), never directly.",
                        fields=", ".join(self._fields[name]._description_string(self.env) for name in refused),
                        model=self._description,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_protected_values(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        if self:  # an empty write stays a no-op: Odoo's contact merge writes every model
            self._check_protected_values([vals], creating=False)
        return super().write(vals)
