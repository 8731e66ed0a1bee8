"""The "Card Emails" flag (``stored_value_notify``) became the email consent: a holder who had asked for
card emails has consented to emails, recorded in the consent history with the source "Import"."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "res_partner", "stored_value_notify"):
        return
    cr.execute(SQL("SELECT id FROM res_partner WHERE stored_value_notify ORDER BY id"))
    partner_ids = [row[0] for row in cr.fetchall()]
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"].browse(partner_ids)._stored_value_set_consent(
        {"email": True}, "import", note="Card Emails (stored_value_notify)"
    )
