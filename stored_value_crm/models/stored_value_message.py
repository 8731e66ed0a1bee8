from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

MESSAGE_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("phone", "Phone Call")]
MESSAGE_STATES = [("queued", "Waiting"), ("sent", "Sent"), ("cancelled", "Cancelled")]
# What a message type's setting starts with; each type changes what it needs (its gap, say).
MESSAGE_DEFAULTS = {"email": True, "sms": False, "phone": False, "min_gap_hours": 0, "respect_quiet_hours": True}


class StoredValueMessage(models.Model):
    """One message the suite sent (or will send) a customer on one channel, kept as the trail of what
    customers were told and to keep the gap between two messages of a type.

    Every message to customers goes through :meth:`_dispatch`: it honours the company's setting of the
    message type, the customer's consent per channel, the gap and the quiet hours.
    """

    _name = "stored.value.message"
    _inherit = ["stored.value.guard"]
    _description = "Customer Message"
    _order = "id desc"
    _rec_name = "partner_id"
    _protected_fields = frozenset(
        {
            "partner_id",
            "company_id",
            "message_type",
            "channel",
            "res_model",
            "res_id",
            "state",
            "scheduled_date",
            "sent_date",
            "cancel_reason",
        }
    )

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    message_type = fields.Selection(selection="_selection_message_type", required=True, readonly=True, index=True)
    channel = fields.Selection(MESSAGE_CHANNELS, required=True, readonly=True)
    res_model = fields.Char(string="About Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(string="About", model_field="res_model", required=True, readonly=True)
    state = fields.Selection(MESSAGE_STATES, required=True, default="queued", readonly=True, index=True)
    scheduled_date = fields.Datetime(string="Send After", required=True, readonly=True, index=True)
    sent_date = fields.Datetime(readonly=True)
    cancel_reason = fields.Char(readonly=True)

    def _selection_message_type(self):
        return self.env["stored.value.message.setting"]._fields["message_type"]._description_selection(self.env)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The trail of customer messages cannot be deleted."))

    # ------------------------------------------------------------------
    # Message types
    # ------------------------------------------------------------------

    @api.model
    def _message_types(self):
        """``{message type: spec}``: the templates of each channel (xml ids of a ``mail.template`` and an
        ``sms.template`` on the model of the records it is about), the summary of the call to make, and
        the defaults of its setting. Later addons add their types."""
        return {
            "movement": {
                "email": "stored_value_crm.mail_template_stored_value_movement",
                "sms": "stored_value_crm.sms_template_stored_value_movement",
                "summary": self.env._("Tell the customer about a movement on their card"),
                "defaults": {**MESSAGE_DEFAULTS, "respect_quiet_hours": False},
            },
            "low_balance": {
                "email": "stored_value_crm.mail_template_stored_value_low_balance",
                "sms": "stored_value_crm.sms_template_stored_value_low_balance",
                "summary": self.env._("Tell the customer their card balance is low"),
                "defaults": {**MESSAGE_DEFAULTS, "min_gap_hours": 72},
            },
            "dormant": {
                "email": "stored_value_crm.mail_template_stored_value_dormant",
                "sms": "stored_value_crm.sms_template_stored_value_dormant",
                "summary": self.env._("Invite the customer back: their card has not been used for long"),
                "defaults": {**MESSAGE_DEFAULTS, "min_gap_hours": 720},
            },
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _dispatch(self, message_type, records):
        """Tell the customer of each of ``records`` (its ``partner_id``) about ``message_type``.

        By the channels the record's company chose for the type and the customer consented to; at most one
        message per customer and call, none within the type's gap of the last, and text messages held back
        until the quiet hours end. Returns the messages written (sent or waiting).
        """
        spec = self._message_types()[message_type]
        now = fields.Datetime.now()
        values = []

        def company_of(record):
            return record.company_id if "company_id" in record._fields and record.company_id else self.env.company

        for company, company_records in records.filtered("partner_id").grouped(company_of).items():
            setting = self.env["stored.value.message.setting"]._for_company(company, message_type)
            channels = [
                channel
                for channel, _label in MESSAGE_CHANNELS
                if setting[channel] and (channel == "phone" or spec.get(channel))
            ]
            partners = company_records.partner_id
            allowed = {channel: set(partners._stored_value_may_contact(channel).ids) for channel in channels}
            # Ids in sets: a night's tier review tells thousands, and a recordset's ``in`` scans its ids.
            reachable = set().union(*allowed.values())
            told = self._recently_told(partners.browse(reachable), message_type, setting["min_gap_hours"], now)
            for record in company_records:
                partner = record.partner_id
                if partner.id in told or partner.id not in reachable:
                    continue
                told.add(partner.id)
                for channel in (channel for channel in channels if partner.id in allowed[channel]):
                    quiet_end = (
                        channel == "sms"
                        and setting["respect_quiet_hours"]
                        and self._quiet_hours_end(company, partner, now)
                    )
                    values.append(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "message_type": message_type,
                            "channel": channel,
                            "res_model": record._name,
                            "res_id": record.id,
                            "scheduled_date": quiet_end or now,
                        }
                    )
        # sudo: a customer's message is written whatever the rights of who caused it (a cashier).
        messages = self.sudo()._posting().create(values)
        messages.filtered(lambda message: message.scheduled_date <= now)._send()
        return messages

    @api.model
    def _recently_told(self, partners, message_type, gap_hours, now):
        """Ids of ``partners`` who got (or will get) a message of ``message_type`` in the last ``gap_hours``."""
        if not gap_hours or not partners:
            return set()
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("message_type", "=", message_type),
                ("state", "!=", "cancelled"),
                ("scheduled_date", ">", now - timedelta(hours=gap_hours)),
            ],
            ["partner_id"],
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _quiet_hours_end(self, company, partner, now):
        """When the company's quiet hours end, in UTC, if ``now`` falls in them for ``partner``; else None.

        Quiet hours are read in the customer's time zone, else the company's."""
        start, end = company.stored_value_quiet_start, company.stored_value_quiet_end
        if start == end:
            return None
        zone = pytz.timezone(partner.tz or company.partner_id.tz or "UTC")
        local = pytz.utc.localize(now).astimezone(zone)
        hour = local.hour + local.minute / 60
        quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
        if not quiet:
            return None
        day = local.date() + timedelta(days=1) if start > end and hour >= start else local.date()
        minutes = min(round(end * 60), 24 * 60 - 1)
        end_time = time(minutes // 60, minutes % 60)
        local_end = zone.localize(datetime.combine(day, end_time))
        return local_end.astimezone(pytz.utc).replace(tzinfo=None)

    def _send(self):
        """Send these waiting messages now, each to a customer who still consents and by a record that still
        exists; the others are cancelled with the reason."""
        now = fields.Datetime.now()
        types = self._message_types()
        for message in self.filtered(lambda message: message.state == "queued"):
            record = self.env[message.res_model].sudo().browse(message.res_id).exists()
            partner = message.partner_id
            if not record:
                message._posting().write({"state": "cancelled", "cancel_reason": self.env._("It was deleted.")})
                continue
            if not partner._stored_value_may_contact(message.channel):
                message._posting().write(
                    {"state": "cancelled", "cancel_reason": self.env._("The customer withdrew their consent.")}
                )
                continue
            getattr(message, f"_send_{message.channel}")(record, types[message.message_type])
            message._posting().write({"state": "sent", "sent_date": now})

    def _send_email(self, record, spec):
        self.env.ref(spec["email"]).sudo().send_mail(record.id)

    def _send_sms(self, record, spec):
        template = self.env.ref(spec["sms"]).sudo()
        body = template._render_field("body", record.ids, compute_lang=True)[record.id]
        partner = self.partner_id
        # Odoo's SMS queue sends it through the provider the admin chose (IAP by default).
        self.env["sms.sms"].sudo().create(
            {"partner_id": partner.id, "number": partner.phone_sanitized or partner.phone, "body": body}
        )

    def _send_phone(self, record, spec):
        partner = self.partner_id
        caller = partner._stored_value_salesperson_in(self.company_id) or self.company_id._stored_value_manager()
        partner.sudo().activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            summary=spec["summary"],
            note=record.display_name,
            user_id=caller.id,
        )

    @api.model
    def _cron_send_waiting(self, batch_size=500):
        """Send the messages whose quiet hours are over."""
        # sudo: the job sends the waiting messages of every company.
        waiting = self.sudo().search([("state", "=", "queued"), ("scheduled_date", "<=", fields.Datetime.now())])
        for start in range(0, len(waiting), batch_size):
            batch = waiting[start : start + batch_size]
            batch._send()
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=len(waiting) - start - len(batch)):
                break
