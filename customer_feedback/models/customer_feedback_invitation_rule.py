from ast import literal_eval

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL


class CustomerFeedbackInvitationRule(models.Model):
    """Which purchases invite their customer to a survey, when, and how.

    The first active rule of the company (by sequence) that a purchase meets decides. The criteria are
    checked by :meth:`_matches`; a criterion on the customer belongs in :meth:`_partner_criteria`,
    which later addons extend (a member tier, a segment).
    """

    _name = "customer.feedback.invitation.rule"
    _inherit = ["stored.value.cached.mixin"]  # _cached_prints_on_receipt
    _description = "Feedback Invitation Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    survey_id = fields.Many2one(
        "survey.survey", required=True, ondelete="restrict", domain=[("is_customer_feedback", "=", True)]
    )
    purchase_type = fields.Selection(
        [
            ("pos_order", "Point of Sale Orders"),
            ("sale_order", "Confirmed Sales Orders"),
            ("invoice", "Customer Invoices"),
        ],
        string="Purchases",
        required=True,
        default="pos_order",
    )
    channel = fields.Selection(
        [("qr", "QR Code on the Receipt"), ("email", "Email")],
        required=True,
        default="email",
        help="Email: Odoo's survey invitation, sent after the delay. QR code: printed on the receipt, "
        "it opens the survey for that order.",
    )
    every_nth = fields.Integer(
        string="Every Nth Purchase", default=1, help="Invite for one purchase in this many that meet the rule."
    )
    min_amount = fields.Monetary(string="Minimum Amount", help="Total of the purchase, taxes included; 0: any.")
    pos_config_ids = fields.Many2many(
        "pos.config", string="Points of Sale", check_company=True, help="Only orders of these shops; empty: all."
    )
    tier_ids = fields.Many2many(
        "loyalty.tier", string="Member Tiers", help="Only members of these tiers; empty: every customer."
    )
    lifecycle_stage_ids = fields.Many2many(
        "loyalty.lifecycle.stage",
        string="Life Cycle Stages",
        help="Only customers at these stages in the rule's company; empty: every stage.",
    )
    partner_domain = fields.Char(string="Customer Conditions", default="[]")
    delay_hours = fields.Integer(string="Send After (hours)", default=2, help="Delay of the invitation email.")
    validity_days = fields.Integer(string="Answer Within (days)", default=14)
    matched_count = fields.Integer(
        string="Matching Purchases", default=0, readonly=True, copy=False, help="Purchases that met the rule so far."
    )
    invitation_count = fields.Integer(compute="_compute_invitation_count")

    @api.model
    def _prints_on_receipt(self, company):
        """Whether a rule of ``company`` may put a survey link on a point of sale receipt: its orders are
        then decided at their sync, the others by the invitation job (``customer.feedback.pending.order``)."""
        return self._cached_prints_on_receipt(company.id)

    @tools.ormcache("company_id")
    def _cached_prints_on_receipt(self, company_id):
        # Asked at every order's sync, changed a few times a year: cached, cleared on change.
        return bool(
            self.sudo().search_count(
                [("company_id", "=", company_id), ("purchase_type", "=", "pos_order"), ("channel", "=", "qr")],
                limit=1,
            )
        )

    def _compute_invitation_count(self):
        counts = dict(
            self.env["customer.feedback.invitation"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.invitation_count = counts.get(rule, 0)

    @api.constrains("every_nth", "min_amount", "delay_hours", "validity_days", "channel", "purchase_type")
    def _check_values(self):
        for rule in self:
            if rule.every_nth < 1:
                raise ValidationError(
                    self.env._("Invitation rule “%(rule)s”: invite at least every 1st purchase.", rule=rule.name)
                )
            if rule.currency_id.compare_amounts(rule.min_amount, 0) < 0 or rule.delay_hours < 0:
                raise ValidationError(
                    self.env._(
                        "Invitation rule “%(rule)s”: the minimum amount and the delay cannot be negative.",
                        rule=rule.name,
                    )
                )
            if rule.validity_days < 1:
                raise ValidationError(
                    self.env._(
                        "Invitation rule “%(rule)s”: give the customer at least one day to answer.", rule=rule.name
                    )
                )
            if rule.purchase_type != "pos_order" and (rule.channel == "qr" or rule.pos_config_ids):
                raise ValidationError(
                    self.env._(
                        "Invitation rule “%(rule)s”: QR codes and points of sale apply to point of sale orders only.",
                        rule=rule.name,
                    )
                )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for rule in self:
            try:
                self.env["res.partner"].search_count(rule._partner_criteria(), limit=1)
            except (SyntaxError, TypeError, ValueError) as error:
                raise ValidationError(
                    self.env._(
                        "Invitation rule “%(rule)s”: the customer conditions are not valid (%(error)s).",
                        rule=rule.name,
                        error=error,
                    )
                ) from error

    def _partner_criteria(self):
        """The customers this rule invites, as a domain on ``res.partner``.

        To add a criterion, extend it: ``return super()._partner_criteria() & Domain(...)``. It is
        evaluated in SQL for one customer at a time.
        """
        self.ensure_one()
        domain = Domain(literal_eval(self.partner_domain or "[]"))
        if self.tier_ids:
            domain &= Domain("loyalty_tier_id", "in", self.tier_ids.ids)
        if self.lifecycle_stage_ids:
            partners = self.env["res.partner"]._lifecycle_stage_partners_sql(self.company_id, self.lifecycle_stage_ids)
            domain &= Domain("id", "in", partners)
        return domain

    def _matches(self, purchase):
        """Whether ``purchase`` (see :meth:`pos.order._feedback_purchase`) meets this rule, every Nth aside."""
        self.ensure_one()
        if purchase["type"] != self.purchase_type or purchase["company"] != self.company_id:
            return False
        if self.pos_config_ids and purchase.get("pos_config") not in self.pos_config_ids:
            return False
        if self.currency_id.compare_amounts(purchase["amount"], self.min_amount) < 0:
            return False
        partner_domain = Domain("id", "=", purchase["partner"].id) & self._partner_criteria()
        return bool(self.env["res.partner"].search_count(partner_domain, limit=1))

    def _take_turn(self):
        """Count one more matching purchase; whether it is the Nth that gets an invitation.

        The counter is incremented in SQL, so two cashiers selling at once get consecutive turns.
        """
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_feedback_invitation_rule SET matched_count = COALESCE(matched_count, 0) + 1 "
                "WHERE id = %s RETURNING matched_count",
                self.id,
            )
        )
        count = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["matched_count"])
        return count % self.every_nth == 0

    def action_view_invitations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_feedback.customer_feedback_invitation_action")
        action["domain"] = [("rule_id", "=", self.id)]
        return action
