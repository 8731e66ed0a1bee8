from odoo import api, fields, models
from odoo.exceptions import UserError

CONSENT_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("phone", "Phone")]
CONSENT_SOURCES = [
    ("pos", "Point of Sale"),
    ("backoffice", "Back Office"),
    ("portal", "Portal"),
    ("signup", "Sign-up"),
    ("import", "Import"),
]


class StoredValueConsent(models.Model):
    """One change of a customer's consent to be contacted on one channel, never changed once written.

    The history is written only by ``res.partner._stored_value_set_consent``; the partner's current
    consent per channel is computed from its last row.
    """

    _name = "stored.value.consent"
    _inherit = ["stored.value.guard"]
    _description = "Contact Consent"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _protected_fields = frozenset(
        {"partner_id", "company_id", "channel", "granted", "date", "source", "user_id", "pos_config_id", "note"}
    )

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    channel = fields.Selection(CONSENT_CHANNELS, required=True, readonly=True)
    granted = fields.Boolean(readonly=True, help="Ticked: the customer agreed to be contacted; else withdrawn.")
    date = fields.Datetime(required=True, readonly=True, index=True)
    source = fields.Selection(CONSENT_SOURCES, required=True, readonly=True, help="Where the customer said so.")
    user_id = fields.Many2one("res.users", string="Recorded By", required=True, readonly=True)
    pos_config_id = fields.Many2one("pos.config", string="Point of Sale", readonly=True)
    note = fields.Char(readonly=True)

    def write(self, vals):
        if vals and self:  # an empty recordset stays writable: Odoo's contact merge writes every model
            raise UserError(self.env._("Consent history cannot be changed: record the customer's new choice instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Consent history cannot be deleted: record the customer's new choice instead."))
