import math
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, float_compare, float_round, html2plaintext, plaintext2html
from odoo.tools.misc import format_amount, format_datetime

from odoo.addons.loyalty_tiers.models.loyalty_program import COUPON_PROGRAM_TYPES
from odoo.addons.stored_value_crm.tools.keys import is_record_id

from .customer_feedback_sla import SEVERITIES

OPEN_STATES = ("new", "in_progress")
# What the compensation is: set by a feedback manager, frozen once asked for or granted.
COMPENSATION_TERMS = frozenset(
    {
        "compensation_type",
        "compensation_amount",
        "compensation_card_id",
        "compensation_points",
        "compensation_loyalty_card_id",
        "compensation_coupon_program_id",
        "compensation_reason",
    }
)
# The loyalty cards' points are booked with two decimals (loyalty_tiers' POINT_DIGITS).
POINT_DIGITS = 2
# No complaint is worth this much; beyond it float rounding itself breaks down.
COMPENSATION_LIMIT = 1e12


class CustomerFeedbackCase(models.Model):
    """投诉: a customer's complaint, from a detractor's answer, the back office or the point of sale.

    Its deadline comes from the service level of its severity; the daily job reminds the responsible
    before it and escalates the case when it is missed. A compensation is booked once, as a new entry
    of the customer's wallet or loyalty card, never by changing an old one; above the company's ceiling,
    a second feedback manager approves it first. What was granted, asked for and approved changes only
    through the compensation actions (:meth:`_book_compensation`, :meth:`_request_compensation_approval`).
    """

    _name = "customer.feedback.case"
    _description = "Complaint Case"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "stored.value.guard"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True

    _reference_unique = models.Constraint("UNIQUE(reference)", "A complaint case with this reference already exists.")
    _compensation_not_negative = models.Constraint(
        "CHECK(compensation_amount >= 0 AND compensation_points >= 0)", "A compensation cannot be negative."
    )
    # The trail of a compensation: written by the compensation actions only (stored.value.guard).
    _protected_fields = frozenset(
        {
            "compensation_state",
            "compensation_date",
            "compensation_ledger_id",
            "compensation_history_id",
            "compensation_coupon_id",
            "compensation_requested_by_id",
            "compensation_requested_date",
            "compensation_approved_by_id",
            "compensation_approved_date",
        }
    )

    reference = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    name = fields.Char(string="Subject", required=True, tracking=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    category_id = fields.Many2one("customer.feedback.category", tracking=True)
    severity = fields.Selection(SEVERITIES, required=True, default="normal", tracking=True)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Escalated")], compute="_compute_priority", store=True, string="Escalation"
    )
    state = fields.Selection(
        [("new", "New"), ("in_progress", "In Progress"), ("resolved", "Resolved"), ("closed", "Closed")],
        required=True,
        default="new",
        tracking=True,
        index=True,
        copy=False,
    )
    origin = fields.Selection(
        [("survey", "Survey Answer"), ("backoffice", "Back Office"), ("pos", "Point of Sale")],
        required=True,
        default="backoffice",
        readonly=True,
    )
    description = fields.Html(string="Complaint")
    resolution_note = fields.Html(tracking=True)
    opened_date = fields.Datetime(string="Opened On", required=True, readonly=True, default=fields.Datetime.now)
    sla_id = fields.Many2one(
        "customer.feedback.sla", string="Service Level", compute="_compute_sla_id", store=True, readonly=True
    )
    deadline = fields.Datetime(compute="_compute_deadline", store=True, readonly=False, tracking=True, index=True)
    reminder_date = fields.Datetime(compute="_compute_reminder_date", store=True)
    is_late = fields.Boolean(string="Late", compute="_compute_is_late", search="_search_is_late")
    reminded = fields.Boolean(readonly=True, copy=False)
    escalated = fields.Boolean(readonly=True, copy=False, tracking=True)
    resolved_date = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    resolution_hours = fields.Float(
        string="Hours to Resolve", readonly=True, copy=False, aggregator="avg", digits=(16, 1)
    )
    user_input_id = fields.Many2one(
        "survey.user_input", string="Survey Answer", readonly=True, index="btree_not_null", ondelete="set null"
    )
    nps_score = fields.Integer(related="user_input_id.feedback_nps_score", string="NPS Answer")
    pos_order_id = fields.Many2one("pos.order", string="Point of Sale Order", index="btree_not_null")
    pos_config_id = fields.Many2one(related="pos_order_id.config_id", store=True, string="Point of Sale")
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", index="btree_not_null", check_company=True)
    move_id = fields.Many2one("account.move", string="Invoice", domain="[('move_type', '=', 'out_invoice')]")
    resurvey_invitation_id = fields.Many2one("customer.feedback.invitation", readonly=True, copy=False)
    compensation_type = fields.Selection(
        [("none", "None"), ("wallet", "Wallet Credit"), ("points", "Bonus Points"), ("coupon", "Coupon")],
        required=True,
        default="none",
        tracking=True,
        copy=False,
    )
    compensation_amount = fields.Monetary(string="Credit", copy=False, tracking=True)
    compensation_card_id = fields.Many2one(
        "stored.value.card",
        string="Wallet",
        check_company=True,
        copy=False,
        tracking=True,
        domain="[('partner_id', '=', partner_id), ('state', 'in', ('active', 'frozen'))]",
    )
    compensation_points = fields.Float(string="Points", copy=False, tracking=True)
    compensation_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Loyalty Card",
        check_company=True,
        copy=False,
        tracking=True,
        domain="[('partner_id', '=', partner_id), ('program_type', '=', 'loyalty')]",
    )
    compensation_coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon Programme",
        check_company=True,
        copy=False,
        tracking=True,
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
        help="The customer gets one coupon of this programme, with its code, by their consented channels.",
    )
    compensation_reason = fields.Text(
        string="Why",
        copy=False,
        help="Why the customer is compensated; required when another feedback manager must approve.",
    )
    compensation_state = fields.Selection(
        [("none", "Not Granted"), ("to_approve", "Waiting for Approval"), ("granted", "Granted")],
        string="Compensation Status",
        compute="_compute_compensation_state",
        store=True,
    )
    compensation_above_ceiling = fields.Boolean(
        compute="_compute_compensation_above_ceiling",
        help="Above the company's ceiling, another feedback manager approves the compensation.",
    )
    compensation_requested_by_id = fields.Many2one("res.users", string="Asked For By", readonly=True, copy=False)
    compensation_requested_date = fields.Datetime(string="Asked For On", readonly=True, copy=False)
    compensation_approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    compensation_approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    compensation_date = fields.Datetime(string="Compensated On", readonly=True, copy=False)
    compensation_ledger_id = fields.Many2one("stored.value.ledger", string="Wallet Entry", readonly=True, copy=False)
    compensation_history_id = fields.Many2one(
        "loyalty.history", string="Points Entry", readonly=True, copy=False, ondelete="set null"
    )
    compensation_coupon_id = fields.Many2one("loyalty.card", string="Coupon Given", readonly=True, copy=False)

    @api.depends("escalated")
    def _compute_priority(self):
        for case in self:
            case.priority = "1" if case.escalated else "0"

    @api.depends("compensation_date", "compensation_requested_date")
    def _compute_compensation_state(self):
        for case in self:
            if case.compensation_date:
                case.compensation_state = "granted"
            elif case.compensation_requested_date:
                case.compensation_state = "to_approve"
            else:
                case.compensation_state = "none"

    @api.depends(
        "compensation_type",
        "compensation_amount",
        "compensation_points",
        "company_id.feedback_compensation_ceiling",
        "company_id.feedback_compensation_points_ceiling",
    )
    def _compute_compensation_above_ceiling(self):
        for case in self:
            case.compensation_above_ceiling = case._compensation_above_ceiling()

    @api.depends("company_id", "severity")
    def _compute_sla_id(self):
        slas = self.env["customer.feedback.sla"].search([("company_id", "in", self.company_id.ids)])
        for case in self:
            case.sla_id = slas.filtered(
                lambda sla, case=case: sla.company_id == case.company_id and sla.severity == case.severity
            )[:1]

    @api.depends("sla_id", "opened_date")
    def _compute_deadline(self):
        for case in self:
            hours = case.sla_id.resolution_hours
            case.deadline = hours and case.opened_date and case.opened_date + timedelta(hours=hours)

    @api.depends("deadline", "sla_id.reminder_hours")
    def _compute_reminder_date(self):
        for case in self:
            hours = case.sla_id.reminder_hours
            case.reminder_date = hours and case.deadline and case.deadline - timedelta(hours=hours)

    @api.depends("deadline", "state")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for case in self:
            case.is_late = case.state in OPEN_STATES and bool(case.deadline) and case.deadline < now

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search late cases with “is set” or “is not set” only."))
        late = Domain("state", "in", OPEN_STATES) & Domain("deadline", "<", fields.Datetime.now())
        return late if (operator == "=") == value else ~late

    def _compute_access_url(self):
        for case in self:
            case.access_url = f"/my/feedback-cases/{case.id}"

    def _compute_display_name(self):
        for case in self:
            case.display_name = f"{case.reference} {case.name}" if case.reference not in (False, "/") else case.name

    @api.constrains("compensation_type", "compensation_amount", "compensation_points")
    def _check_compensation(self):
        for case in self:
            if case.compensation_type == "wallet" and case.currency_id.compare_amounts(case.compensation_amount, 0) < 0:
                raise ValidationError(
                    self.env._("Case %(case)s: a wallet credit cannot be negative.", case=case.display_name)
                )
            if case.compensation_type == "points" and case.compensation_points < 0:
                raise ValidationError(self.env._("Case %(case)s: points cannot be negative.", case=case.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        if not self._protected_open():
            for vals in vals_list:
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                self._check_compensation_terms_values(vals, vals.get("name") or "", company.currency_id, creating=True)
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("customer.feedback.case") or "/"
        cases = super().create(vals_list)
        cases._schedule_responsible_activity()
        # A customer who complained hears it was received; a detractor's case is theirs to call about.
        self.env["stored.value.message"]._dispatch("case_update", cases.filtered(lambda case: case.origin != "survey"))
        return cases

    def write(self, vals):
        if self and not self._protected_open() and COMPENSATION_TERMS & set(vals):
            states = dict(self._fields["compensation_state"]._description_selection(self.env))
            for case in self:
                if case.compensation_state != "none":
                    raise AccessError(
                        self.env._(
                            "Case %(case)s: its compensation is %(state)s and cannot be changed any more; "
                            "open a new complaint case to compensate the customer again.",
                            case=case.display_name,
                            state=states[case.compensation_state],
                        )
                    )
                case._check_compensation_terms_values(vals, case.display_name, case.currency_id)
        return super().write(vals)

    def _check_protected_values(self, vals_list, creating):
        # The guard's refusal, naming the case and the actions that write its compensation's trail.
        if not self._protected_open():
            for vals in vals_list:
                refused = {
                    name
                    for name in self._protected_fields & set(vals)
                    if not (creating and self._protected_create_allowed(name, vals[name]))
                }
                if refused:
                    labels = sorted(self._fields[name]._description_string(self.env) for name in refused)
                    raise AccessError(
                        self.env._(
                            "Case %(case)s: %(fields)s are written by the compensation actions only (Grant, Approve, "
                            "Refuse), never directly.",
                            case=(vals.get("name") or "") if creating else ", ".join(self.mapped("display_name")),
                            fields=", ".join(labels),
                        )
                    )
        return super()._check_protected_values(vals_list, creating)

    def _protected_create_allowed(self, field_name, value):
        # A new case starts without compensation; the web client may send those empty values.
        return not value or (field_name == "compensation_state" and value == "none")

    def _check_compensation_terms_values(self, vals, case_name, currency, creating=False):
        """Refuse the compensation terms of ``vals`` that the user may not set.

        Only a feedback manager sets them (a new case may carry the empty ones), and the figures must be
        finite, not negative and no more precise than the currency or the points: the ORM would round
        them silently, and a NaN passes PostgreSQL's CHECK.
        """
        empty = (False, 0, "none") if creating else ()
        terms = {name for name in COMPENSATION_TERMS & set(vals) if vals[name] not in empty}
        if not terms:
            return
        if not self.env.su and not self.env.user.has_group("customer_feedback.group_customer_feedback_manager"):
            raise AccessError(
                self.env._(
                    "Case %(case)s: only a feedback manager sets what a customer is compensated with.",
                    case=case_name,
                )
            )
        for name, digits in (("compensation_amount", currency.decimal_places), ("compensation_points", POINT_DIGITS)):
            value = vals.get(name) or 0.0
            if name in terms and not (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and 0 <= value < COMPENSATION_LIMIT
                and not float_compare(float_round(value, precision_digits=digits), value, precision_digits=digits + 4)
            ):
                raise ValidationError(
                    self.env._(
                        "Case %(case)s: %(field)s must be a number from 0 to %(limit)s with at most %(digits)s "
                        "decimals, not %(value)s.",
                        case=case_name,
                        field=self._fields[name]._description_string(self.env),
                        limit=f"{COMPENSATION_LIMIT:,.0f}",
                        digits=digits,
                        value=value,
                    )
                )

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """Updates of a case email the customer only with their consent to emails."""
        recipients = super()._notify_get_recipients(message, msg_vals=msg_vals, **kwargs)
        return self.env["res.partner"]._stored_value_consenting_recipients(recipients)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        if any(case.state != "new" or case.compensation_state != "none" for case in self):
            raise UserError(self.env._("Only new complaint cases without compensation can be deleted: close them."))

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------

    def _schedule_responsible_activity(self):
        """A to-do for the responsible of each new case, due on its deadline."""
        for case in self.filtered("user_id"):
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(case, case.deadline) if case.deadline else None,
                summary=self.env._("Handle complaint %(case)s", case=case.reference),
                user_id=case.user_id.id,
            )

    @api.model
    def _responsible_for(self, partner, category):
        """Who handles a complaint opened by the system: the customer's salesperson, else the category's."""
        return partner._stored_value_salesperson_in(self.env.company) or category.user_id

    @api.model
    def _open_for_detractors(self, answers):
        """Open one case per detractor answer; return the cases."""
        category = self.env.ref("customer_feedback.customer_feedback_category_detractor")
        Invitation = self.env["customer.feedback.invitation"]
        values = []
        for answer in answers:
            invitation = Invitation.search([("user_input_id", "=", answer.id)], limit=1)
            order, sale_order, move = (
                answer.feedback_pos_order_id,
                answer.feedback_sale_order_id,
                answer.feedback_move_id,
            )
            company = (
                invitation.company_id
                or order.company_id
                or sale_order.company_id
                or move.company_id
                or self.env.company
            )
            comments = answer._feedback_comments()
            values.append(
                {
                    "name": self.env._(
                        "Detractor: %(partner)s answered %(score)s out of 10",
                        partner=answer.partner_id.name,
                        score=answer.feedback_nps_score,
                    ),
                    "partner_id": answer.partner_id.id,
                    "company_id": company.id,
                    "category_id": category.id,
                    "severity": "high" if answer.feedback_nps_score <= 3 else "normal",
                    "origin": "survey",
                    "user_input_id": answer.id,
                    "pos_order_id": order.id,
                    "sale_order_id": sale_order.id,
                    "move_id": move.id,
                    "description": comments and plaintext2html(comments),
                    "user_id": self._responsible_for(answer.partner_id, category).id,
                }
            )
        cases = self.create(values)
        if cases:
            self.env["stored.value.followup.plan"].search([("feedback_criterion", "!=", False)])._schedule_followups()
        return cases

    @api.model
    def create_from_pos(self, values):
        """Open a complaint from the point of sale; ``values``: ``partner_id``, ``name``, ``description``,
        optional ``pos_order_id``, ``category_id`` and ``severity``. Returns the case's id and reference.
        """
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise UserError(self.env._("Only point of sale users can open a complaint from the point of sale."))
        if not isinstance(values, dict):
            raise UserError(self.env._("The point of sale sent a complaint the server cannot read: try again."))
        # Only what the cashier may see: their companies' orders and the customers they can pick.
        partner = self._pos_complaint_record("res.partner", values.get("partner_id"))
        if not partner:
            raise UserError(self.env._("Choose the customer who complains."))
        name, description = values.get("name"), values.get("description") or ""
        if not isinstance(name, str) or not name.strip() or not isinstance(description, str):
            raise UserError(self.env._("Say in a few words what the customer complains about."))
        order = self._pos_complaint_record("pos.order", values.get("pos_order_id"))
        if values.get("pos_order_id") and not order:
            raise UserError(
                self.env._("Order %(order)s is not one of your shops' orders.", order=values.get("pos_order_id"))
            )
        severity = values.get("severity") or "normal"
        if not isinstance(severity, str) or severity not in dict(SEVERITIES):
            raise UserError(self.env._("Unknown severity %(severity)s.", severity=severity))
        category = self._pos_complaint_record("customer.feedback.category", values.get("category_id"))
        # sudo: cashiers open complaints without the rights to read or handle them; the case goes to
        # the customer's salesperson or the category's responsible.
        case = (
            self.sudo()
            .with_company(order.company_id or self.env.company)
            .create(
                {
                    "name": name.strip(),
                    "partner_id": partner.id,
                    "description": plaintext2html(description),
                    "origin": "pos",
                    "severity": severity,
                    "category_id": category.id,
                    "pos_order_id": order.id,
                    "company_id": (order.company_id or self.env.company).id,
                    "user_id": self._responsible_for(partner, category).id,
                }
            )
        )
        return {"id": case.id, "reference": case.reference}

    @api.model
    def _pos_complaint_record(self, model, record_id):
        """The record ``record_id`` of ``model`` if the cashier may read it, else an empty recordset."""
        if not is_record_id(record_id):
            return self.env[model]
        return self.env[model].search([("id", "=", record_id)], limit=1)

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def _check_states(self, allowed, action):
        wrong = self.filtered(lambda case: case.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Case %(case)s is %(state)s: it cannot be %(action)s.",
                    case=wrong[0].display_name,
                    state=states[wrong[0].state],
                    action=action,
                )
            )

    def action_start(self):
        self._check_states(("new",), self.env._("started"))
        self.write({"state": "in_progress"})

    def action_resolve(self):
        self._check_states(OPEN_STATES, self.env._("resolved"))
        for case in self:
            if not html2plaintext(case.resolution_note or "").strip():
                raise UserError(
                    self.env._("Case %(case)s: write the resolution note before resolving it.", case=case.display_name)
                )
        now = fields.Datetime.now()
        for case in self:
            case.write(
                {
                    "state": "resolved",
                    "resolved_date": now,
                    "resolution_hours": (now - case.opened_date).total_seconds() / 3600,
                }
            )
        self.activity_ids.filtered(lambda activity: activity.user_id).action_feedback(
            feedback=self.env._("Case resolved.")
        )
        self.env["stored.value.message"]._dispatch("case_update", self)
        self._send_resurvey()

    def action_close(self):
        self._check_states(("resolved",), self.env._("closed"))
        self.write({"state": "closed"})

    def action_reopen(self):
        self._check_states(("resolved", "closed"), self.env._("reopened"))
        self.write({"state": "in_progress", "resolved_date": False, "resolution_hours": 0.0})

    def _customer_update_title(self):
        """The subject of the customer's message about this case: received, or resolved."""
        self.ensure_one()
        if self.state in ("resolved", "closed"):
            return self.env._("Your complaint %(case)s is resolved", case=self.reference)
        return self.env._("We received your complaint %(case)s", case=self.reference)

    def _customer_update_text(self):
        """The customer's text message about this case: received, or resolved."""
        self.ensure_one()
        if self.state in ("resolved", "closed"):
            return self.env._(
                "your complaint %(case)s is resolved. Not satisfied? Reply or call us and we will reopen it.",
                case=self.reference,
            )
        return self.env._(
            "we received your complaint %(case)s and will answer you soon. We are sorry.", case=self.reference
        )

    def _send_resurvey(self):
        """Ask the customer of each resolved case how it was handled: a short survey, sent at once."""
        Invitation = self.env["customer.feedback.invitation"].sudo()
        for case in self.filtered(lambda case: not case.resurvey_invitation_id):
            survey = case.company_id._feedback_resurvey()
            if not survey:
                continue
            # sudo: the invitation and its survey answer are the system's, whatever the handler's rights.
            invitation = Invitation._invite(survey.sudo(), case.partner_id, case.company_id, "email", case=case)
            invitation._send()
            case.resurvey_invitation_id = invitation
            if invitation.state == "sent":
                case.message_post(
                    body=self.env._("Satisfaction survey sent to %(partner)s.", partner=case.partner_id.name)
                )
            else:
                case.message_post(
                    body=self.env._(
                        "Satisfaction survey not sent to %(partner)s: %(reason)s.",
                        partner=case.partner_id.name,
                        reason=invitation.not_sent_reason,
                    )
                )

    # ------------------------------------------------------------------
    # Compensation (补偿)
    # ------------------------------------------------------------------

    # The one door of a case's compensation: _request_compensation_approval records a request above the
    # ceiling, _book_compensation books (once per case, under the case's key) and writes the trail; the
    # public actions check the role and the state under the case's row lock, then go through them.

    def _check_feedback_manager(self, message):
        if not self.env.user.has_group("customer_feedback.group_customer_feedback_manager"):
            raise UserError(message)

    def action_grant_compensation(self):
        """Book each case's compensation, or, above its company's ceiling, ask another manager to approve it."""
        self._check_feedback_manager(self.env._("Only a feedback manager can grant a compensation."))
        for case in self:
            case._lock_for_compensation()
            if case.compensation_state == "granted":
                continue  # a second click books nothing more
            if case.compensation_state == "to_approve":
                raise UserError(
                    self.env._(
                        "Case %(case)s: the compensation %(user)s asked for waits for another feedback manager's "
                        "approval.",
                        case=case.display_name,
                        user=case.compensation_requested_by_id.name,
                    )
                )
            case._check_compensation_terms()
            if case._compensation_above_ceiling():
                case._request_compensation_approval()
            else:
                case._book_compensation()

    def action_approve_compensation(self):
        """Book the compensations above the ceiling that another feedback manager asked for."""
        self._check_feedback_manager(self.env._("Only a feedback manager can approve a compensation."))
        for case in self:
            case._lock_for_compensation()
            if case.compensation_state == "granted":
                continue
            if case.compensation_state != "to_approve":
                raise UserError(
                    self.env._(
                        "Case %(case)s: no compensation waits for approval; grant it instead.", case=case.display_name
                    )
                )
            if case.compensation_requested_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "Case %(case)s: you asked for this compensation; another feedback manager must approve it.",
                        case=case.display_name,
                    )
                )
            case._check_compensation_terms()
            case._book_compensation(approver=self.env.user)

    def action_refuse_compensation(self):
        """Drop the compensation requests of these cases: another manager refuses, the one who asked withdraws."""
        self._check_feedback_manager(self.env._("Only a feedback manager can refuse a compensation."))
        for case in self:
            case._lock_for_compensation()
            if case.compensation_state != "to_approve":
                raise UserError(
                    self.env._("Case %(case)s: no compensation waits for approval.", case=case.display_name)
                )
            requester = case.compensation_requested_by_id
            case._posting().write({"compensation_requested_by_id": False, "compensation_requested_date": False})
            case.message_post(
                body=self.env._(
                    "Compensation of %(what)s asked for by %(requester)s refused by %(user)s.",
                    what=case._compensation_what(),
                    requester=requester.name,
                    user=self.env.user.name,
                )
            )

    def _lock_for_compensation(self):
        """Lock the case's row, waiting for a concurrent click on it, and read the case afresh."""
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(SQL("SELECT id FROM customer_feedback_case WHERE id = %s FOR NO KEY UPDATE", self.id))
        self.invalidate_recordset()

    def _compensation_key(self):
        return f"{self._name}/{self.id}/compensation"

    def _compensation_reason(self):
        reason = self.env._("Compensation for complaint %(case)s", case=self.display_name)
        why = (self.compensation_reason or "").strip()
        return f"{reason}: {why}" if why else reason

    def _compensation_what(self):
        """The compensation in words: its figure and the card it goes to."""
        self.ensure_one()
        if self.compensation_type == "wallet":
            return self.env._(
                "%(amount)s on wallet %(card)s",
                amount=self.compensation_card_id._format_amount(self.compensation_amount),
                card=self.compensation_card_id.name,
            )
        if self.compensation_type == "coupon":
            return self.env._("a coupon of %(program)s", program=self.compensation_coupon_program_id.name)
        return self.env._(
            "%(points)s on loyalty card %(card)s",
            points=self.compensation_loyalty_card_id._format_points(self.compensation_points),
            card=self.compensation_loyalty_card_id.code,
        )

    def _compensation_ceiling(self):
        """The company's ceiling for this compensation's kind, in words."""
        self.ensure_one()
        if self.compensation_type == "wallet":
            return format_amount(self.env, self.company_id.feedback_compensation_ceiling, self.currency_id)
        return self.env._("%(points)s points", points=self.company_id.feedback_compensation_points_ceiling)

    def _compensation_above_ceiling(self):
        self.ensure_one()
        company = self.company_id
        if self.compensation_type == "wallet":
            return self.currency_id.compare_amounts(self.compensation_amount, company.feedback_compensation_ceiling) > 0
        if self.compensation_type == "points":
            ceiling = company.feedback_compensation_points_ceiling
            return float_compare(self.compensation_points, ceiling, precision_digits=POINT_DIGITS) > 0
        return False

    def _check_compensation_terms(self):
        """Refuse a compensation that cannot be booked as it stands: its state, card, figure and currency."""
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Case %(case)s is closed: reopen it to compensate.", case=self.display_name))
        partner = self.partner_id.commercial_partner_id
        if self.compensation_type == "wallet":
            card = self.compensation_card_id
            if not card or card.partner_id.commercial_partner_id != partner:
                raise UserError(
                    self.env._(
                        "Case %(case)s: choose a wallet of %(partner)s.",
                        case=self.display_name,
                        partner=self.partner_id.name,
                    )
                )
            # Refused, not converted: the amount a manager decides (and another approves) is the amount the
            # customer gets; a rate picked at booking time would book a figure nobody approved.
            if card.currency_id != self.currency_id:
                raise UserError(
                    self.env._(
                        "Case %(case)s: wallet %(card)s holds %(card_currency)s but the case counts in "
                        "%(currency)s: choose a wallet in %(currency)s.",
                        case=self.display_name,
                        card=card.name,
                        card_currency=card.currency_id.name,
                        currency=self.currency_id.name,
                    )
                )
            if self.currency_id.compare_amounts(self.compensation_amount, 0) <= 0:
                raise UserError(
                    self.env._("Case %(case)s: the wallet credit must be positive.", case=self.display_name)
                )
        elif self.compensation_type == "points":
            card = self.compensation_loyalty_card_id
            if not card or card.partner_id.commercial_partner_id != partner:
                raise UserError(
                    self.env._(
                        "Case %(case)s: choose a loyalty card of %(partner)s.",
                        case=self.display_name,
                        partner=self.partner_id.name,
                    )
                )
            # Gift cards' and eWallets' points are money: a complaint gives loyalty points only.
            if card.program_type != "loyalty" or card.company_id not in (self.company_id, self.env["res.company"]):
                raise UserError(
                    self.env._(
                        "Case %(case)s: card %(card)s is not a loyalty card of %(company)s; choose one.",
                        case=self.display_name,
                        card=card.code,
                        company=self.company_id.name,
                    )
                )
            if float_compare(self.compensation_points, 0.0, precision_digits=POINT_DIGITS) <= 0:
                raise UserError(self.env._("Case %(case)s: the bonus points must be positive.", case=self.display_name))
        elif self.compensation_type == "coupon":
            program = self.compensation_coupon_program_id
            if not program or program.company_id not in (self.company_id, self.env["res.company"]):
                raise UserError(
                    self.env._(
                        "Case %(case)s: choose a coupon programme of %(company)s.",
                        case=self.display_name,
                        company=self.company_id.name,
                    )
                )
        else:
            raise UserError(
                self.env._(
                    "Case %(case)s: choose a wallet credit, bonus points or a coupon first.", case=self.display_name
                )
            )

    def _request_compensation_approval(self):
        """Record that the current manager asks for this compensation above the ceiling; nothing is booked."""
        self.ensure_one()
        if not (self.compensation_reason or "").strip():
            raise UserError(
                self.env._(
                    "Case %(case)s: %(what)s is above the ceiling of %(ceiling)s: say why in the compensation's "
                    "Why field, for the feedback manager who approves it.",
                    case=self.display_name,
                    what=self._compensation_what(),
                    ceiling=self._compensation_ceiling(),
                )
            )
        self._posting().write(
            {"compensation_requested_by_id": self.env.uid, "compensation_requested_date": fields.Datetime.now()}
        )
        self.message_post(
            body=self.env._(
                "%(user)s asks for a compensation of %(what)s, above the ceiling of %(ceiling)s: another feedback "
                "manager must approve it. Why: %(why)s",
                user=self.env.user.name,
                what=self._compensation_what(),
                ceiling=self._compensation_ceiling(),
                why=self.compensation_reason.strip(),
            )
        )

    def _book_compensation(self, approver=None):
        """Book this case's compensation and write its trail; ``approver`` approved it above the ceiling.

        The books are asked, not the case: a compensation already booked under this case's key, on any
        wallet or loyalty card, is never booked again, whatever the case's fields say.
        """
        self.ensure_one()
        booked = self._compensation_booked()
        if booked:
            raise UserError(
                self.env._(
                    "Case %(case)s was already compensated (%(entry)s): nothing more is booked.",
                    case=self.display_name,
                    entry=booked,
                )
            )
        if self.compensation_type == "wallet":
            values = {"compensation_ledger_id": self._grant_wallet_compensation().id}
        elif self.compensation_type == "coupon":
            values = {"compensation_coupon_id": self._grant_coupon_compensation().id}
        else:
            values = {"compensation_history_id": self._grant_points_compensation().id}
        now = fields.Datetime.now()
        if approver:
            values.update(compensation_approved_by_id=approver.id, compensation_approved_date=now)
        self._posting().write({**values, "compensation_date": now})
        why = (self.compensation_reason or "").strip() or "-"
        if approver:
            body = self.env._(
                "Compensation granted: %(what)s. Asked for by %(requester)s on %(asked)s, approved by %(approver)s "
                "on %(approved)s. Why: %(why)s",
                what=self._compensation_what(),
                requester=self.compensation_requested_by_id.name,
                asked=format_datetime(self.env, self.compensation_requested_date),
                approver=approver.name,
                approved=format_datetime(self.env, now),
                why=why,
            )
        else:
            body = self.env._(
                "Compensation granted: %(what)s, by %(user)s within the ceiling of %(ceiling)s. Why: %(why)s",
                what=self._compensation_what(),
                user=self.env.user.name,
                ceiling=self._compensation_ceiling(),
                why=why,
            )
        self.message_post(body=body)

    def _compensation_booked(self):
        """The entry booked under this case's compensation key, on any card, in words; empty if none."""
        key = self._compensation_key()
        # sudo: the question is about every card's books, whichever the manager may read.
        entry = self.env["stored.value.ledger"].sudo().search([("idempotency_key", "=", key)], limit=1)
        if entry:
            return entry.display_name
        batch = self.env["loyalty.point.batch"].sudo().search([("source_key", "=like", f"{key}/%")], limit=1)
        if batch:
            return self.env._("points on loyalty card %(card)s", card=batch.card_id.code)
        coupon = self.env["loyalty.card"].sudo().with_context(active_test=False).search([("incentive_key", "=", key)])
        return coupon and self.env._("coupon %(code)s", code=coupon.code)

    def _grant_wallet_compensation(self):
        """Credit the compensation to the customer's wallet as a compensation entry (goodwill bonus, never
        paid out in cash) under the case's key; return the entry."""
        return self.compensation_card_id._compensate(
            self.compensation_amount,
            self._compensation_reason(),
            self._compensation_key(),
            company=self.company_id,
            currency=self.currency_id,
            source_ref=f"{self._name},{self.id}",
        )

    def _grant_coupon_compensation(self):
        """Issue the compensation coupon to the customer under the case's key (they are told its code);
        return the coupon."""
        # sudo: a feedback manager gives the coupon this compensation says without loyalty rights.
        return self.compensation_coupon_program_id.sudo()._issue_coupon(
            self.partner_id, self._compensation_key(), self._compensation_reason()
        )

    def _grant_points_compensation(self):
        """Give the compensation points through the card's keyed booking; return the card's history line."""
        card = self.compensation_loyalty_card_id
        reason = self._compensation_reason()
        # sudo: a feedback manager grants the points this compensation says without loyalty rights; the
        # card's booking locks it, books once per key and writes the history line and the batch.
        card.sudo()._earn_points(self.compensation_points, self._compensation_key(), reason)
        # The line _earn_points just wrote: the card stays locked until commit, and the reason names the case.
        return (
            self.env["loyalty.history"]
            .sudo()
            .search([("card_id", "=", card.id), ("description", "=", reason)], order="id desc", limit=1)
        )

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------

    def _escalation_users(self):
        self.ensure_one()
        managers = self.env.ref("customer_feedback.group_customer_feedback_manager").user_ids.filtered(
            lambda user: user.active and not user.share and self.company_id in user.company_ids
        )
        return self.sla_id.escalation_user_id or managers.sorted("id")[:1]

    def _remind(self):
        for case in self:
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(case, case.deadline),
                summary=self.env._("Complaint %(case)s is due soon", case=case.reference),
                user_id=(case.user_id or case._escalation_users()).id,
            )
        self.write({"reminded": True})

    def _escalate(self):
        for case in self:
            user = case._escalation_users()
            case.message_post(
                body=Markup("%s") % self.env._("The deadline of this complaint passed: escalated."),
                partner_ids=user.partner_id.ids,
            )
            if user:
                case.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=self.env._("Late complaint %(case)s", case=case.reference),
                    note=self.env._("Responsible: %(user)s", user=case.user_id.name or "-"),
                    user_id=user.id,
                )
        self.write({"escalated": True})

    @api.model
    def _cron_check_deadlines(self, batch_size=200):
        """Remind the responsible of cases due soon and escalate late ones, in committed batches."""
        now = fields.Datetime.now()
        open_cases = [("state", "in", OPEN_STATES)]
        to_remind = self.search(
            [*open_cases, ("reminded", "=", False), ("reminder_date", "<=", now), ("deadline", ">=", now)]
        )
        late = self.search([*open_cases, ("escalated", "=", False), ("deadline", "<", now)])
        work = [(case, "remind") for case in to_remind] + [(case, "escalate") for case in late]
        for start in range(0, len(work), batch_size):
            batch = work[start : start + batch_size]
            for case, action in batch:
                if action == "remind":
                    case._remind()
                else:
                    case._escalate()
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=len(work) - start - len(batch)):
                return
