import base64

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError


def _first_of_month(self):
    return fields.Date.context_today(self).replace(day=1)


class StoredValueStatementWizard(models.TransientModel):
    """Choose a period, then print a card's statement or email it to the holder."""

    _name = "stored.value.statement.wizard"
    _description = "Stored-Value Card Statement"

    card_id = fields.Many2one("stored.value.card", required=True, readonly=True)
    date_from = fields.Date(string="From", required=True, default=_first_of_month)
    date_to = fields.Date(
        string="To", required=True, default=lambda self: _first_of_month(self) + relativedelta(months=1, days=-1)
    )

    def _report_data(self):
        return {"date_from": fields.Date.to_string(self.date_from), "date_to": fields.Date.to_string(self.date_to)}

    def action_print(self):
        self.ensure_one()
        report = self.env.ref("stored_value_crm.stored_value_statement_report")
        self.env[f"report.{report.report_name}"]._period(self._report_data())  # refuse a reversed period now
        return report.report_action(self.card_id, data=self._report_data())

    def action_send(self):
        """Email the statement of the period to the holder, and keep it in the card's chatter."""
        self.ensure_one()
        holder = self.card_id.partner_id
        if not holder._stored_value_may_contact("email"):
            raise UserError(
                self.env._(
                    "%(holder)s has not agreed to receive emails (or has no email address): print the statement "
                    "instead, or record their consent first.",
                    holder=holder.display_name,
                )
            )
        report = self.env.ref("stored_value_crm.stored_value_statement_report")
        pdf, _format = self.env["ir.actions.report"]._render_qweb_pdf(
            report.report_name, self.card_id.ids, data=self._report_data()
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Statement %(card)s %(date_from)s-%(date_to)s.pdf",
                    card=self.card_id.name,
                    date_from=self.date_from,
                    date_to=self.date_to,
                ),
                "type": "binary",
                "datas": base64.b64encode(pdf),
                "res_model": "stored.value.card",
                "res_id": self.card_id.id,
                "mimetype": "application/pdf",
            }
        )
        self.card_id.message_post_with_source(
            "stored_value_crm.mail_template_stored_value_statement",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachment.ids,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Statement sent to %(holder)s.", holder=self.card_id.partner_id.display_name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
