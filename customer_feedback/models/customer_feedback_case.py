from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, html2plaintext, plaintext2html

from .customer_feedback_sla import SEVERITIES

OPEN_STATES = ("new", "in_progress")


class CustomerFeedbackCase(models.Model):
    """投诉: a customer's complaint, from a detractor's answer, the back office or the point of sale.

    Its deadline comes from the service level of its severity; the daily job reminds the responsible
    before it and escalates the case when it is missed. A compensation is booked once, as a new entry
    of the customer's wallet or loyalty card, never by changing an old one.
    """

    _name = "customer.feedback.case"
    _description = "Complaint Case"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True

    _reference_unique = models.Constraint("UNIQUE(reference)", "A complaint case with this reference already exists.")
    _compensation_not_negative = models.Constraint(
        "CHECK(compensation_amount >= 0 AND compensation_points >= 0)", "A compensation cannot be negative."
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
        [("none", "None"), ("wallet", "Wallet Credit"), ("points", "Bonus Points")],
        required=True,
        default="none",
        tracking=True,
    )
    compensation_amount = fields.Monetary(string="Credit")
    compensation_card_id = fields.Many2one(
        "stored.value.card",
        string="Wallet",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', 'in', ('active', 'frozen'))]",
    )
    compensation_points = fields.Float(string="Points")
    compensation_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Loyalty Card",
        domain="[('partner_id', '=', partner_id), ('program_type', '=', 'loyalty')]",
    )
    compensation_date = fields.Datetime(string="Compensated On", readonly=True, copy=False)
    compensation_ledger_id = fields.Many2one("stored.value.ledger", string="Wallet Entry", readonly=True, copy=False)
    compensation_history_id = fields.Many2one(
        "loyalty.history", string="Points Entry", readonly=True, copy=False, ondelete="set null"
    )

    @api.depends("escalated")
    def _compute_priority(self):
        for case in self:
            case.priority = "1" if case.escalated else "0"

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
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("customer.feedback.case") or "/"
        cases = super().create(vals_list)
        cases._schedule_responsible_activity()
        return cases

    def write(self, vals):
        compensation_fields = {
            "compensation_type",
            "compensation_amount",
            "compensation_card_id",
            "compensation_points",
            "compensation_loyalty_card_id",
        }
        if compensation_fields & set(vals) and any(case.compensation_date for case in self):
            raise UserError(self.env._("A compensation already granted cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        if any(case.state != "new" or case.compensation_date for case in self):
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
        salesperson = partner.user_id
        if salesperson.active and not salesperson.share:
            return salesperson
        return category.user_id

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
        partner = self.env["res.partner"].browse(values.get("partner_id")).exists()
        if not partner:
            raise UserError(self.env._("Choose the customer who complains."))
        if not (values.get("name") or "").strip():
            raise UserError(self.env._("Say in a few words what the customer complains about."))
        order = self.env["pos.order"].browse(values.get("pos_order_id")).exists()
        severity = values.get("severity") or "normal"
        if severity not in dict(SEVERITIES):
            raise UserError(self.env._("Unknown severity %(severity)s.", severity=severity))
        category = self.env["customer.feedback.category"].browse(values.get("category_id")).exists()
        # sudo: cashiers open complaints without the rights to read or handle them; the case goes to
        # the customer's salesperson or the category's responsible.
        case = (
            self.sudo()
            .with_company(order.company_id or self.env.company)
            .create(
                {
                    "name": values["name"].strip(),
                    "partner_id": partner.id,
                    "description": plaintext2html(values.get("description") or ""),
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
        self._send_resurvey()

    def action_close(self):
        self._check_states(("resolved",), self.env._("closed"))
        self.write({"state": "closed"})

    def action_reopen(self):
        self._check_states(("resolved", "closed"), self.env._("reopened"))
        self.write({"state": "in_progress", "resolved_date": False, "resolution_hours": 0.0})

    def _send_resurvey(self):
        """Ask the customer of each resolved case how it was handled: a short survey, by email at once."""
        Invitation = self.env["customer.feedback.invitation"].sudo()
        for case in self.filtered(lambda case: case.partner_id.email and not case.resurvey_invitation_id):
            survey = case.company_id._feedback_resurvey()
            if not survey:
                continue
            # sudo: the invitation and its survey answer are the system's, whatever the handler's rights.
            invitation = Invitation._invite(survey.sudo(), case.partner_id, case.company_id, "email", case=case)
            invitation._send()
            case.resurvey_invitation_id = invitation
            case.message_post(body=self.env._("Satisfaction survey sent to %(partner)s.", partner=case.partner_id.name))

    # ------------------------------------------------------------------
    # Compensation (补偿)
    # ------------------------------------------------------------------

    def action_grant_compensation(self):
        if not self.env.user.has_group("customer_feedback.group_customer_feedback_manager"):
            raise UserError(self.env._("Only a feedback manager can grant a compensation."))
        for case in self:
            case._grant_compensation()

    def _grant_compensation(self):
        """Book this case's compensation once; a second click finds it booked and does nothing."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT id FROM customer_feedback_case WHERE id = %s FOR NO KEY UPDATE", self.id))
        self.invalidate_recordset(["compensation_date"])
        if self.compensation_date:
            return
        if self.state == "closed":
            raise UserError(self.env._("Case %(case)s is closed: reopen it to compensate.", case=self.display_name))
        if self.compensation_type == "wallet":
            entry = self._grant_wallet_compensation()
            values = {"compensation_ledger_id": entry.id}
            what = entry.card_id._format_amount(self.compensation_amount)
        elif self.compensation_type == "points":
            history = self._grant_points_compensation()
            values = {"compensation_history_id": history.id}
            what = self.compensation_loyalty_card_id._format_points(self.compensation_points)
        else:
            raise UserError(
                self.env._("Case %(case)s: choose a wallet credit or bonus points first.", case=self.display_name)
            )
        self.write({**values, "compensation_date": fields.Datetime.now()})
        self.message_post(body=self.env._("Compensation granted: %(what)s.", what=what))

    def _compensation_reason(self):
        return self.env._("Compensation for complaint %(case)s", case=self.display_name)

    def _grant_wallet_compensation(self):
        """Credit the compensation to the customer's wallet as a compensation entry (goodwill bonus, never
        paid out in cash) under the key ``customer.feedback.case/<id>/compensation``."""
        card = self.compensation_card_id
        if not card or card.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(
                self.env._(
                    "Case %(case)s: choose a wallet of %(partner)s.",
                    case=self.display_name,
                    partner=self.partner_id.name,
                )
            )
        if card.currency_id.compare_amounts(self.compensation_amount, 0) <= 0:
            raise UserError(self.env._("Case %(case)s: the wallet credit must be positive.", case=self.display_name))
        return card._compensate(
            self.compensation_amount,
            self._compensation_reason(),
            f"customer.feedback.case/{self.id}/compensation",
            company=self.company_id,
            source_ref=f"{self._name},{self.id}",
        )

    def _grant_points_compensation(self):
        """Add the compensation points to the customer's loyalty card with a history line; return the line.

        The points are Odoo's own loyalty points; ``loyalty_tiers`` may override this to book them its way.
        """
        card = self.compensation_loyalty_card_id
        if not card or card.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(
                self.env._(
                    "Case %(case)s: choose a loyalty card of %(partner)s.",
                    case=self.display_name,
                    partner=self.partner_id.name,
                )
            )
        if self.compensation_points <= 0:
            raise UserError(self.env._("Case %(case)s: the bonus points must be positive.", case=self.display_name))
        self.env.cr.execute(SQL("SELECT id FROM loyalty_card WHERE id = %s FOR NO KEY UPDATE", card.id))
        card.invalidate_recordset(["points"])
        # sudo: a feedback manager grants the points this compensation says, without loyalty rights.
        card = card.sudo()
        card.points += self.compensation_points
        return (
            self.env["loyalty.history"]
            .sudo()
            .create(
                {
                    "card_id": card.id,
                    "description": self._compensation_reason(),
                    "issued": self.compensation_points,
                    "order_model": self._name,
                    "order_id": self.id,
                }
            )
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
