from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class StoredValueMessageSetting(models.Model):
    """How one company tells its customers one kind of news: by which channels, how often, when.

    The customer's consent per channel always comes first (``res.partner._stored_value_may_contact``):
    a channel ticked here only reaches customers who agreed to it. A company without a row for a
    message type uses the defaults of ``stored.value.message._message_types``.
    """

    _name = "stored.value.message.setting"
    _inherit = ["stored.value.cached.mixin"]  # _cached_setting
    _description = "Customer Message Setting"
    _order = "company_id, message_type"
    _check_company_auto = True

    _type_per_company = models.Constraint(
        "UNIQUE(company_id, message_type)", "Each message type is set once per company."
    )

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    message_type = fields.Selection(
        [("movement", "Card Movement"), ("low_balance", "Low Balance"), ("dormant", "Dormant Card")],
        required=True,
    )
    # Not named after the channels: Odoo's privacy lookup takes any field named "email" for an address.
    by_email = fields.Boolean(string="Email", default=True, help="Sent by email to customers who agreed to emails.")
    by_sms = fields.Boolean(string="SMS", help="Sent by SMS to customers who agreed to text messages.")
    by_phone = fields.Boolean(
        string="Phone Call",
        help="A call to do is given to the customer's salesperson (else the stored-value manager), "
        "for customers who agreed to be called.",
    )
    min_gap_hours = fields.Integer(
        string="Minimum Gap (hours)",
        help="A customer never gets two messages of this type within this many hours; 0: no limit.",
    )
    respect_quiet_hours = fields.Boolean(
        default=True,
        help="Text messages of this type wait until the company's quiet hours end. Untick for "
        "transaction alerts the customer expects at once.",
    )

    @api.constrains("min_gap_hours")
    def _check_gap(self):
        if any(setting.min_gap_hours < 0 for setting in self):
            raise ValidationError(self.env._("The minimum gap between two messages cannot be negative."))

    @api.model
    def _for_company(self, company, message_type):
        """The setting of ``company`` for ``message_type`` as ``{channel or option: value}``: its row, else the
        type's defaults."""
        return dict(self._cached_setting(company.id, message_type))

    @tools.ormcache("company_id", "message_type")
    def _cached_setting(self, company_id, message_type):
        # Read for every card movement and message, changed a few times a year: cached, cleared on change.
        setting = self.sudo().search([("company_id", "=", company_id), ("message_type", "=", message_type)], limit=1)
        if not setting:
            return tuple(self.env["stored.value.message"]._message_types()[message_type]["defaults"].items())
        return (
            ("email", setting.by_email),
            ("sms", setting.by_sms),
            ("phone", setting.by_phone),
            ("min_gap_hours", setting.min_gap_hours),
            ("respect_quiet_hours", setting.respect_quiet_hours),
        )

    @api.model
    def _values_from_defaults(self, defaults):
        return {
            "by_email": defaults["email"],
            "by_sms": defaults["sms"],
            "by_phone": defaults["phone"],
            "min_gap_hours": defaults["min_gap_hours"],
            "respect_quiet_hours": defaults["respect_quiet_hours"],
        }

    @api.model
    def action_open_settings(self):
        """The settings of the current company, one row per message type (missing rows created with the
        defaults, so that every type the installed addons send is listed)."""
        company = self.env.company
        existing = set(self.search([("company_id", "=", company.id)]).mapped("message_type"))
        types = self.env["stored.value.message"]._message_types()
        self.create(
            [
                {"company_id": company.id, "message_type": message_type, **self._values_from_defaults(spec["defaults"])}
                for message_type, spec in types.items()
                if message_type not in existing
            ]
        )
        return self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.stored_value_message_setting_action")
