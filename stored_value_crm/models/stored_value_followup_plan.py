from ast import literal_eval
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

# Cards whose balance the holder still owns: a frozen card is blocked, not emptied.
HELD_CARD_STATES = ("active", "frozen")


class StoredValueFollowupPlan(models.Model):
    """定期跟踪: call the customers a plan matches, again and again, every ``interval_days``.

    The criteria are combined by :meth:`_partner_domain`, which later addons extend. A customer matched
    by several plans of a company is followed by the most attentive one only (the smallest interval).
    """

    _name = "stored.value.followup.plan"
    _description = "Stored-Value Follow-up Plan"
    _order = "sequence, interval_days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_balance = fields.Monetary(
        string="Minimum Balance",
        help="What the customer's active and frozen cards of the company hold together; 0: no minimum.",
    )
    card_holders_only = fields.Boolean(
        default=True,
        help="Follow only holders of an active or frozen card of the company. Untick to follow any customer "
        "meeting the other conditions (with no minimum balance).",
    )
    no_purchase_days = fields.Integer(
        string="No Purchase For (days)",
        help="Days since the customer last paid with a card, or since the card was issued when they never did; "
        "0: not a criterion.",
    )
    partner_domain = fields.Char(
        string="Customer Conditions", default="[]", help="Further conditions the customers must meet."
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'res.partner')]",
    )
    interval_days = fields.Integer(
        string="Every (days)",
        required=True,
        default=30,
        help="The follow-up is due this many days after it is scheduled, and the customer is not called again "
        "by this plan sooner than this after the last follow-up.",
    )
    summary = fields.Char(help="Title of the follow-up; the plan's name when empty.")
    note = fields.Html(sanitize_style=True, help="What to talk about.")
    responsible_type = fields.Selection(
        [("salesperson", "Customer's Salesperson"), ("user", "Fixed User")],
        string="Assign To",
        required=True,
        default="salesperson",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Who makes the call; with “Customer's Salesperson”, who calls the customers without one.",
    )
    followup_count = fields.Integer(string="Open Follow-ups", compute="_compute_followup_count")

    def _compute_followup_count(self):
        counts = dict(
            self.env["mail.activity"]._read_group(
                [("stored_value_followup_plan_id", "in", self.ids)], ["stored_value_followup_plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.followup_count = counts.get(plan, 0)

    @api.constrains("interval_days", "no_purchase_days", "min_balance", "responsible_type", "user_id")
    def _check_values(self):
        for plan in self:
            if plan.interval_days < 1:
                raise ValidationError(
                    self.env._("Follow-up plan “%(plan)s”: the interval must be at least one day.", plan=plan.name)
                )
            if plan.no_purchase_days < 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up plan “%(plan)s”: the days without purchase cannot be negative; "
                        "use 0 to ignore them.",
                        plan=plan.name,
                    )
                )
            if plan.currency_id.compare_amounts(plan.min_balance, 0) < 0:
                raise ValidationError(
                    self.env._(
                        "Follow-up plan “%(plan)s”: the minimum balance cannot be negative; use 0 for no minimum.",
                        plan=plan.name,
                    )
                )
            if plan.responsible_type == "user" and not plan.user_id:
                raise ValidationError(
                    self.env._("Follow-up plan “%(plan)s”: choose the user who makes the calls.", plan=plan.name)
                )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for plan in self:
            try:
                self.env["res.partner"].search_count(plan._extra_partner_domain(), limit=1)
            except (SyntaxError, TypeError, ValueError) as error:
                raise ValidationError(
                    self.env._(
                        "Follow-up plan “%(plan)s”: the customer conditions are not valid (%(error)s).",
                        plan=plan.name,
                        error=error,
                    )
                ) from error

    # ------------------------------------------------------------------
    # Criteria
    # ------------------------------------------------------------------

    def _partner_domain(self):
        """The customers this plan follows, as a domain on ``res.partner``.

        Only holders of an active or frozen card of the plan's company are followed, unless the plan
        follows any customer (no minimum balance, not card holders only). To add a criterion,
        extend this method: ``return super()._partner_domain() & Domain(...)``. Keep every criterion
        set-based (a SQL subquery, a stored or searchable field), never a query per partner.
        """
        self.ensure_one()
        domain = Domain("company_id", "in", [False, self.company_id.id])
        if self.card_holders_only or not self.currency_id.is_zero(self.min_balance):
            domain &= Domain("id", "in", self._holders_with_balance_sql())
        if self.no_purchase_days:
            domain &= Domain("id", "in", self._holders_without_purchase_sql())
        return domain & self._extra_partner_domain()

    def _extra_partner_domain(self):
        return Domain(literal_eval(self.partner_domain or "[]"))

    def _holders_with_balance_sql(self):
        """Holders whose held cards of the company total at least ``min_balance`` in the company currency."""
        company = self.company_id
        Card = self.env["stored.value.card"]
        Card.flush_model(["partner_id", "company_id", "currency_id", "state", "balance"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT currency_id FROM stored_value_card WHERE company_id = %s AND state IN %s",
                company.id,
                HELD_CARD_STATES,
            )
        )
        currencies = self.env["res.currency"].browse(row[0] for row in self.env.cr.fetchall()) | company.currency_id
        today = fields.Date.context_today(self)
        rates = SQL(" ").join(
            SQL(
                "WHEN %s THEN %s",
                currency.id,
                currency._get_conversion_rate(currency, company.currency_id, company, today),
            )
            for currency in currencies
        )
        return SQL(
            """SELECT card.partner_id FROM stored_value_card card
                WHERE card.company_id = %(company)s AND card.state IN %(states)s
                GROUP BY card.partner_id
               HAVING ROUND(SUM(card.balance * CASE card.currency_id %(rates)s END)::numeric, %(digits)s)
                      >= %(minimum)s""",
            company=company.id,
            states=HELD_CARD_STATES,
            rates=rates,
            digits=company.currency_id.decimal_places,
            minimum=self.min_balance,
        )

    def _holders_without_purchase_sql(self):
        """Holders who have not paid with a card of the company for ``no_purchase_days``.

        Without any payment, the newest card's issue date counts: a customer is not dormant the day
        they buy a card.
        """
        self.env["stored.value.card"].flush_model(["partner_id", "company_id", "state"])
        self.env["stored.value.ledger"].flush_model(["partner_id", "company_id", "entry_type", "date"])
        return SQL(
            """SELECT card.partner_id FROM stored_value_card card
                WHERE card.company_id = %(company)s AND card.state IN %(states)s
                GROUP BY card.partner_id
               HAVING COALESCE(
                          (SELECT MAX(spend.date) FROM stored_value_ledger spend
                            WHERE spend.partner_id = card.partner_id AND spend.company_id = %(company)s
                              AND spend.entry_type = 'spend'),
                          MAX(card.create_date)
                      ) <= %(cutoff)s""",
            company=self.company_id.id,
            states=HELD_CARD_STATES,
            cutoff=fields.Datetime.now() - timedelta(days=self.no_purchase_days),
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    def _followups_due(self):
        """``{plan: partners}``: the customers each plan of ``self`` must call now.

        A customer matched by several active plans of a company belongs to the most attentive one
        (smallest interval, then sequence), even when that plan does not call them now: one customer,
        one follow-up. A plan skips the customers whose follow-up by it is still open, or was done or
        scheduled less than ``interval_days`` ago.
        """
        if not self:
            return {}
        rivals = self.search([("company_id", "in", self.company_id.ids)]).sorted(
            lambda plan: (plan.interval_days, plan.sequence, plan.id)
        )
        owners = {}
        for plan in rivals:
            partners = self.env["res.partner"].with_company(plan.company_id).search(plan._partner_domain())
            for partner_id in partners.ids:
                owners.setdefault((plan.company_id.id, partner_id), plan)
        recent = self._recently_followed()
        due_ids = {plan: [] for plan in self}
        for (_company_id, partner_id), plan in owners.items():
            if plan in due_ids and (plan.id, partner_id) not in recent:
                due_ids[plan].append(partner_id)
        Partner = self.env["res.partner"]
        due = {}
        for plan, partner_ids in due_ids.items():
            channel = plan._followup_channel()
            # A call only to the customers who agreed to be called, on one query per plan.
            domain = Domain("id", "in", partner_ids)
            if channel:
                domain &= Partner._stored_value_contactable_domain(channel)
            due[plan] = Partner.search(domain, order="id") if partner_ids else Partner
        return due

    def _followup_channel(self):
        """The channel this plan's follow-up reaches the customer by (a call: phone, an email: email), or
        None for work that does not contact them."""
        self.ensure_one()
        if self.activity_type_id.category == "phonecall":
            return "phone"
        if self.activity_type_id == self.env.ref("mail.mail_activity_data_email", raise_if_not_found=False):
            return "email"
        return None

    def _recently_followed(self):
        """``{(plan id, partner id)}`` of the follow-ups of ``self`` that keep a customer from a new one."""
        Activity = self.env["mail.activity"]
        Activity.flush_model(["res_model", "res_id", "active", "date_done", "stored_value_followup_plan_id"])
        self.flush_model(["interval_days"])
        self.env.cr.execute(
            SQL(
                """SELECT activity.stored_value_followup_plan_id, activity.res_id
                     FROM mail_activity activity
                     JOIN stored_value_followup_plan plan ON plan.id = activity.stored_value_followup_plan_id
                    WHERE activity.stored_value_followup_plan_id IN %(plans)s
                      AND activity.res_model = 'res.partner'
                      AND (activity.active
                           OR activity.date_done > %(today)s::date - plan.interval_days
                           OR activity.create_date > %(now)s - make_interval(days => plan.interval_days))""",
                plans=tuple(self.ids),
                today=fields.Date.context_today(self),
                now=fields.Datetime.now(),
            )
        )
        return set(self.env.cr.fetchall())

    def _followup_fallback_user(self):
        """Who calls when the customer has no usable salesperson: the plan's user, else the first manager."""
        self.ensure_one()
        return self.user_id or self.company_id._stored_value_manager()

    def _followup_activity_values(self, partners):
        """Values of the activities that call ``partners`` for this plan."""
        self.ensure_one()
        fallback = self._followup_fallback_user()
        partner_model_id = self.env["ir.model"]._get_id("res.partner")
        deadline = fields.Date.context_today(self) + timedelta(days=self.interval_days)
        values = []
        for partner in partners:
            salesperson = partner._stored_value_salesperson_in(self.company_id)
            values.append(
                {
                    "res_model_id": partner_model_id,
                    "res_id": partner.id,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": self.summary or self.name,
                    "note": self.note or self.activity_type_id.default_note,
                    "date_deadline": deadline,
                    "user_id": (salesperson if self.responsible_type == "salesperson" and salesperson else fallback).id,
                    "stored_value_followup_plan_id": self.id,
                    "automated": True,
                }
            )
        return values

    def _schedule_followups(self, batch_size=500, auto_commit=False):
        """Create the follow-up activities that the plans of ``self`` owe now; return them.

        With ``auto_commit`` (the cron), each batch is committed as cron progress, and the run stops
        when the cron's time is up: the next run resumes, as customers already called are skipped.
        """
        # One email per customer to call would flood the staff: the activities show in their to-do list.
        Activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True)
        due = [
            (plan, partners[start : start + batch_size])
            for plan, partners in self._followups_due().items()
            for start in range(0, len(partners), batch_size)
        ]
        remaining = sum(len(partners) for _plan, partners in due)
        activities = Activity.browse()
        for plan, partners in due:
            activities |= Activity.create(plan._followup_activity_values(partners))
            remaining -= len(partners)
            if auto_commit and not self.env["ir.cron"]._commit_progress(len(partners), remaining=remaining):
                break
        return activities

    @api.model
    def _cron_schedule_followups(self, batch_size=500):
        """Schedule the follow-ups every active plan owes, in committed batches."""
        self.search([("active", "=", True)])._schedule_followups(batch_size, auto_commit=True)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_schedule_now(self):
        self.check_access("write")
        # sudo: scheduling an activity on a customer needs write access on the customer, which a
        # stored-value manager may lack; the plan schedules exactly what its daily cron would.
        activities = self.sudo()._schedule_followups()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if activities else "info",
                "message": self.env._("%(count)s follow-ups scheduled.", count=len(activities)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.mail_activity_followup_action")
        action["domain"] = [("stored_value_followup_plan_id", "=", self.id)]
        return action
