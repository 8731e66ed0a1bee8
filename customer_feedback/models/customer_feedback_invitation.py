from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, urls

# The purchases an invitation may be about: key of ``_feedback_purchase()`` -> invitation field.
PURCHASE_FIELDS = {"pos_order": "pos_order_id", "move": "move_id", "sale_order": "sale_order_id"}


class CustomerFeedbackInvitation(models.Model):
    """One customer asked to answer one survey about one purchase (or one resolved complaint).

    The survey answer (``survey.user_input``) is created with the invitation, so its link is known at
    once: the receipt prints it as a QR code, the email carries it.
    """

    _name = "customer.feedback.invitation"
    _inherit = ["stored.value.guard", "stored.value.served.mixin"]
    _description = "Feedback Invitation"
    _order = "id desc"
    _check_company_auto = True

    _pos_order_unique = models.Constraint("UNIQUE(pos_order_id)", "A point of sale order invites once.")
    _move_unique = models.Constraint("UNIQUE(move_id)", "An invoice invites once.")
    _sale_order_unique = models.Constraint("UNIQUE(sale_order_id)", "A sales order invites once.")
    _case_unique = models.Constraint("UNIQUE(case_id)", "A resolved complaint is followed by one survey.")

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    rule_id = fields.Many2one("customer.feedback.invitation.rule", readonly=True, index="btree_not_null")
    survey_id = fields.Many2one("survey.survey", required=True, readonly=True, ondelete="restrict")
    channel = fields.Selection(
        [("qr", "QR Code on the Receipt"), ("email", "Email")], required=True, readonly=True, default="email"
    )
    state = fields.Selection(
        [
            ("scheduled", "Scheduled"),
            ("sent", "Sent"),
            ("answered", "Answered"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="scheduled",
        readonly=True,
        index=True,
    )
    not_sent_reason = fields.Char(
        string="Not Sent Because", readonly=True, help="Why the invitation was cancelled instead of emailed."
    )
    scheduled_date = fields.Datetime(string="Send On", readonly=True)
    sent_date = fields.Datetime(readonly=True)
    answered_date = fields.Datetime(readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="Point of Sale Order", readonly=True, ondelete="set null")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, ondelete="set null")
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True, ondelete="set null")
    case_id = fields.Many2one(
        "customer.feedback.case", string="Resolved Complaint", readonly=True, index="btree_not_null"
    )
    user_input_id = fields.Many2one(
        "survey.user_input", string="Survey Answer", readonly=True, index="btree_not_null", ondelete="set null"
    )
    survey_url = fields.Char(string="Survey Link", compute="_compute_survey_url")

    # Where and by whom the customer was served, which the answers are reported under: the purchase's,
    # set when inviting; feedback users, who may change an invitation's state, may not relabel it.
    _protected_fields = frozenset({"pos_config_id", "crm_team_id", "employee_id"})

    @api.depends("user_input_id.access_token", "survey_id.access_token")
    def _compute_survey_url(self):
        for invitation in self:
            answer = invitation.user_input_id
            invitation.survey_url = answer and urls.urljoin(answer.survey_id.get_base_url(), answer.get_start_url())

    def _compute_display_name(self):
        for invitation in self:
            invitation.display_name = self.env._(
                "%(survey)s for %(partner)s", survey=invitation.survey_id.title, partner=invitation.partner_id.name
            )

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------

    @api.model
    def _create_for_purchases(self, purchases):
        """Invite the customers of ``purchases`` (point of sale orders, sales orders or invoices) whose rule
        says so.

        Called as superuser by the purchases' hooks: the cashier who sells needs no right on surveys.
        A purchase invites once; a customer at most once in the company's days between invitations.
        """
        invitations = self.browse()
        for record in purchases:
            purchase = record._feedback_purchase()
            if not purchase or self._purchase_invited(purchase):
                continue
            rules = self.env["customer.feedback.invitation.rule"].search(
                [("company_id", "=", purchase["company"].id), ("purchase_type", "=", purchase["type"])]
            )
            rule = next((rule for rule in rules if rule._matches(purchase)), None)
            if not rule or (rule.channel == "email" and not purchase["partner"].email):
                continue
            if self._recently_invited(purchase["partner"], purchase["company"]) or not rule._take_turn():
                continue
            invitations |= self._invite(
                rule.survey_id,
                purchase["partner"],
                purchase["company"],
                rule.channel,
                rule=rule,
                delay_hours=rule.delay_hours,
                validity_days=rule.validity_days,
                **{key: purchase[key] for key in PURCHASE_FIELDS if key in purchase},
            )
        return invitations

    def _purchase_invited(self, purchase):
        key = next(key for key in PURCHASE_FIELDS if key in purchase)
        return bool(self.search_count([(PURCHASE_FIELDS[key], "=", purchase[key].id)], limit=1))

    def _recently_invited(self, partner, company):
        """Whether ``partner`` was invited by ``company`` within its days between invitations.

        The partner's row is locked first: two purchases of one customer at once invite only once
        (the second transaction is retried and then sees the first invitation).
        """
        days = company.feedback_invitation_interval_days
        if not days:
            return False
        self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", partner.id))
        return bool(
            self.search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("case_id", "=", False),
                    ("state", "!=", "cancelled"),
                    ("scheduled_date", ">", fields.Datetime.now() - timedelta(days=days)),
                ],
                limit=1,
            )
        )

    @api.model
    def _invite(self, survey, partner, company, channel, rule=None, delay_hours=0, validity_days=14, **origin):
        """Create the invitation and its survey answer; ``origin``: ``pos_order``, ``sale_order``, ``move``
        or ``case``."""
        now = fields.Datetime.now()
        pos_order, sale_order, move = origin.get("pos_order"), origin.get("sale_order"), origin.get("move")
        case = origin.get("case")
        served = self._served_values(pos_order or sale_order or move, company)
        # _posting: the answer is labelled with where and by whom, which only this code sets.
        answer = survey.with_env(self.env["survey.user_input"]._posting().env)._create_answer(
            partner=partner,
            check_attempts=False,
            deadline=now + timedelta(days=validity_days),
            feedback_pos_order_id=pos_order and pos_order.id,
            feedback_sale_order_id=sale_order and sale_order.id,
            feedback_move_id=move and move.id,
            feedback_followed_case_id=case and case.id,
            **{f"feedback_{name}": value for name, value in served.items()},
        )
        return self._posting().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "rule_id": rule and rule.id,
                "survey_id": survey.id,
                "channel": channel,
                # A QR code is handed over with the receipt: it is sent when it is printed.
                "state": "sent" if channel == "qr" else "scheduled",
                "sent_date": now if channel == "qr" else False,
                "scheduled_date": now + timedelta(hours=delay_hours),
                "pos_order_id": pos_order and pos_order.id,
                "sale_order_id": sale_order and sale_order.id,
                "move_id": move and move.id,
                "case_id": case and case.id,
                "user_input_id": answer.id,
                **served,
            }
        )

    # ------------------------------------------------------------------
    # Sending and answers
    # ------------------------------------------------------------------

    def _send(self):
        """Send the scheduled invitations of ``self`` by the channels the company uses for survey invitations
        and the customer consented to (the email is Odoo's survey invitation); the invitations that reach
        nobody are cancelled with the reason."""
        Message = self.env["stored.value.message"]
        for invitation in self.filtered(lambda i: i.state == "scheduled"):
            if Message._dispatch("survey_invitation", invitation):
                invitation.write({"state": "sent", "sent_date": fields.Datetime.now()})
            else:
                invitation.write({"state": "cancelled", "not_sent_reason": invitation._not_reached_reason()})

    def _not_reached_reason(self):
        """Why no message of the invitation reached its customer."""
        self.ensure_one()
        partner = self.partner_id
        setting = self.env["stored.value.message.setting"]._for_company(self.company_id, "survey_invitation")
        if setting["email"] and not any(setting[channel] for channel in ("sms", "phone")):
            return self.env._("No email address") if not partner.email else self.env._("No consent to emails")
        if not any(setting[channel] for channel in ("email", "sms", "phone")):
            return self.env._("Survey invitations are sent by no channel")
        return self.env._("No consent to any channel of survey invitations, or invited too recently")

    def _mark_answered(self):
        self.filtered(lambda i: i.state != "answered").write(
            {"state": "answered", "answered_date": fields.Datetime.now()}
        )

    def action_send_now(self):
        # The sending runs as sudo: the user must be allowed to change these invitations themselves.
        self.check_access("write")
        if any(invitation.state != "scheduled" for invitation in self):
            raise UserError(self.env._("Only scheduled invitations can be sent."))
        # sudo: the survey invitation wizard needs survey rights that a feedback user may lack.
        self.sudo()._send()

    def action_cancel(self):
        if any(invitation.state not in ("scheduled", "sent") for invitation in self):
            raise UserError(self.env._("Answered or expired invitations cannot be cancelled."))
        self.write({"state": "cancelled"})

    @api.model
    def _cron_send_invitations(self, batch_size=200):
        """Send the invitations whose time has come and expire the unanswered ones, in committed batches."""
        now = fields.Datetime.now()
        due = self.search([("state", "=", "scheduled"), ("scheduled_date", "<=", now)], order="scheduled_date, id")
        for start in range(0, len(due), batch_size):
            batch = due[start : start + batch_size]
            batch._send()
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=len(due) - start - len(batch)):
                return
        expired = self.search(
            [("state", "in", ("scheduled", "sent")), ("user_input_id.deadline", "<", now)],
        )
        expired.write({"state": "expired"})
        expired.partner_id._feedback_recompute_scores()

    @api.model
    def _demo_load_answers(self):
        """Demo data: NPS answers of the last months about orders of two shops, with detractor cases."""
        survey = self.env.ref("customer_feedback.survey_nps")
        score_question = self.env.ref("customer_feedback.survey_nps_q_score")
        reason_question = self.env.ref("customer_feedback.survey_nps_q_reason")
        main_shop = self.env.ref("point_of_sale.pos_config_main")
        huaihai = self.env.ref("customer_feedback.demo_pos_config_huaihai")
        answers = [
            ("base.res_partner_1", main_shop, 10, "Friendly staff, and the card bonus is generous.", 80),
            ("base.res_partner_2", main_shop, 9, "Always on time.", 75),
            ("base.res_partner_3", huaihai, 6, "I waited too long at the counter.", 70),
            ("base.res_partner_4", main_shop, 8, "", 60),
            ("base.res_partner_10", main_shop, 10, "Best service in town.", 55),
            ("base.res_partner_12", huaihai, 3, "My top-up bonus was not credited.", 50),
            ("base.res_partner_18", huaihai, 7, "Fine, a bit expensive.", 40),
            ("base.res_partner_1", main_shop, 9, "", 30),
            ("base.res_partner_2", huaihai, 10, "", 25),
            ("base.res_partner_10", huaihai, 5, "The product I bought broke after a week.", 20),
            ("base.res_partner_4", main_shop, 9, "Much better than last time.", 12),
            ("base.res_partner_18", huaihai, 8, "", 8),
            ("base.res_partner_12", huaihai, 2, "Still waiting for an answer to my complaint.", 5),
            ("base.res_partner_3", main_shop, 9, "They called me back and fixed it.", 2),
        ]
        # The demo's shop manager opens the shops' sessions, and closes them once the orders are in.
        admin = self.env.ref("base.user_admin")
        for shop in (main_shop, huaihai):
            if not shop.current_session_id:
                shop.with_user(admin).open_ui()
        sessions = (main_shop | huaihai).current_session_id.with_user(admin)
        now = fields.Datetime.now()
        for xmlid, shop, score, reason, days_ago in answers:
            partner = self.env.ref(xmlid)
            session = sessions.filtered(lambda session, shop=shop: session.config_id == shop)
            order = self._demo_pos_order(session, partner, now - timedelta(days=days_ago, hours=3))
            invitation = self._invite(survey, partner, self.env.company, "qr", pos_order=order)
            invitation.write({"state": "sent", "sent_date": order.date_order})
            order.feedback_survey_url = invitation.survey_url
            answer = invitation.user_input_id
            answer._save_lines(score_question, score)
            if reason:
                answer._save_lines(reason_question, reason)
            answer._mark_done()
            answer.end_datetime = now - timedelta(days=days_ago)
        for session in sessions:
            session.action_pos_session_closing_control()
        self.env["res.partner"].browse(self.env.ref(xmlid).id for xmlid, *_rest in answers)._feedback_recompute_scores()

    @api.model
    def _demo_pos_order(self, session, partner, date):
        """Demo data: an order of ``partner`` in ``session``, paid by card."""
        product = self.env.ref("customer_feedback.demo_product_wash_and_cut")
        price = product.lst_price
        order = self.env["pos.order"].create(
            {
                "session_id": session.id,
                "partner_id": partner.id,
                "date_order": date,
                "lines": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "qty": 1,
                            "price_unit": price,
                            "price_subtotal": price,
                            "price_subtotal_incl": price,
                        }
                    )
                ],
                "amount_tax": 0,
                "amount_total": price,
                "amount_paid": 0,
                "amount_return": 0,
            }
        )
        card = session.payment_method_ids.filtered(lambda method: method.type == "bank" and not method.is_stored_value)[
            :1
        ]
        order.add_payment({"pos_order_id": order.id, "amount": price, "payment_method_id": card.id})
        order.action_pos_order_paid()
        return order
