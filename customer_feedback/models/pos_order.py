from odoo import api, fields, models


class PosOrder(models.Model):
    _inherit = "pos.order"

    feedback_invitation_id = fields.Many2one(
        "customer.feedback.invitation",
        compute="_compute_feedback_invitation",
        groups="customer_feedback.group_customer_feedback_user",
    )
    feedback_survey_url = fields.Char(
        string="Feedback Survey Link",
        readonly=True,
        copy=False,
        help="The survey link the receipt prints as a QR code, when a rule invites this order's customer.",
    )

    def _compute_feedback_invitation(self):
        invitations = self.env["customer.feedback.invitation"].search([("pos_order_id", "in", self.ids)])
        for order in self:
            order.feedback_invitation_id = invitations.filtered(lambda i, order=order: i.pos_order_id == order)[:1]

    def _process_saved_order(self, draft):
        result = super()._process_saved_order(draft)
        if not draft and self.state in ("paid", "done") and self.partner_id:
            if self.env["customer.feedback.invitation.rule"]._prints_on_receipt(self.company_id):
                self._feedback_invite()  # the receipt prints the survey link: decided now
            else:
                self.env["customer.feedback.pending.order"]._queue(self)
        return result

    def _feedback_invite(self):
        """Invite the customer if a rule says so; a QR code invitation puts its link on the order."""
        # sudo: invitations are the system's; the cashier needs no right on surveys or rules.
        for invitation in self.env["customer.feedback.invitation"].sudo()._create_for_purchases(self):
            if invitation.channel == "qr":
                invitation.pos_order_id.feedback_survey_url = invitation.survey_url

    def _feedback_purchase(self):
        """What invitation rules look at (see ``customer.feedback.invitation.rule._matches``)."""
        self.ensure_one()
        if not self.partner_id or self.amount_total <= 0:
            return None
        return {
            "type": "pos_order",
            "pos_order": self,
            "partner": self.partner_id,
            "company": self.company_id,
            "pos_config": self.config_id,
            "amount": self.currency_id._convert(
                self.amount_total, self.company_id.currency_id, self.company_id, self.date_order.date()
            ),
        }

    @api.model
    def _load_pos_data_fields(self, config):
        fields_ = super()._load_pos_data_fields(config)
        return [*fields_, "feedback_survey_url"] if fields_ else fields_
