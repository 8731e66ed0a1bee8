"""What a client sends to name things: request keys (only well-formed UUIDs, so that no two keys collide)
and record ids."""

import re

from odoo.exceptions import UserError

UUID_FORMAT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def check_uuid(env, value):
    """Return ``value`` when it is a canonical lowercase UUID, else refuse it.

    Keys such as ``pos.order/<order uuid>/payment/<payment uuid>`` are unique only because neither part
    can hold a ``/``: a client choosing ``a/payment/b`` as an order uuid could otherwise make two
    payments share one key.
    """
    if not isinstance(value, str) or not UUID_FORMAT.match(value):
        raise UserError(env._("%(value)s is not a valid identifier (a UUID) for a payment or an order.", value=value))
    return value


def is_record_id(value):
    """Whether ``value``, as a client sent it, can be the id of a record: an int above zero, not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
