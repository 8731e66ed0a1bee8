import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, urls

from odoo.addons.loyalty_tiers.models.res_partner import RFM_WINDOW_MONTHS

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
    def _demo_known_answers(self):
        """Demo data: ``[(partner, shop, score, reason, days ago)]``, the NPS answers Odoo's demo customers
        gave in the last months about a wash and cut at one of the two shops (see
        :meth:`_demo_load_population`)."""
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
        return [(self.env.ref(xmlid), *answer) for xmlid, *answer in answers]

    @api.model
    def _demo_answer(self, answers):
        """Demo data: customers of POS orders answer the NPS survey their receipts invited to, ``answers``
        being ``[(order, score, reason, date)]``; done together, so that detractors' cases and follow-ups
        are opened once."""
        done = self.env["survey.user_input"]
        for order, score, reason, _date in answers:
            invitation = self._invite(
                self.env.ref("customer_feedback.survey_nps"), order.partner_id, order.company_id, "qr", pos_order=order
            )
            invitation.write({"state": "sent", "sent_date": order.date_order})
            order.feedback_survey_url = invitation.survey_url
            answer = invitation.user_input_id
            answer._save_lines(self.env.ref("customer_feedback.survey_nps_q_score"), score)
            if reason:
                answer._save_lines(self.env.ref("customer_feedback.survey_nps_q_reason"), reason)
            done |= answer
        done._mark_done()
        for answer, (_order, _score, _reason, date) in zip(done, answers, strict=True):
            answer.end_datetime = date
        done.partner_id._feedback_recompute_scores()  # the last answer of each is the last by its date
        return done

    @api.model
    def _demo_load_population(self, size=200, seed=15):
        """Demo data: ``size`` members of the two shops with a year of visits, dated back from today.

        Each member follows a profile (a prospect who never bought, a new customer, a regular, a growing
        one, one at risk, a dormant one, a lost one, one won back) and some top up a card; the portal demo
        user is a regular Gold member, and Odoo's demo customers answer the survey about their last visits
        (:meth:`_demo_known_answers`). Everything is booked by the suite's own paths, in the order it
        happened: the year's orders are created at once, as the terminals would have sent them, then each
        is paid in its turn through the door of the terminal's sync, ``action_pos_order_paid``: top-ups
        (with their bonus and gifts), visits paid by bank card or from the card (with their points). The
        tiers those purchases made due are reviewed as the job would, once a week of visits; top-ups move
        their members up at once. Then come the NPS answers, with the complaint cases detractors open.
        Those paths book at the current time: the dates of what each step booked (ledger entries, point
        batches and their expiry, points history, tier changes) are then moved back to the step's date in
        SQL, which changes no amount. Last come the nightly reviews (points expiry, tiers, value segments,
        life cycle and lifetime value), the life cycle also as of each month of the year, so that members
        moved through their stages in time. A seeded random makes every install alike but for its dates.
        """
        company = self.env.company
        journal = self.env["account.journal"].search([("type", "=", "cash"), ("company_id", "=", company.id)], limit=1)
        if not journal:  # a database without a chart of accounts has nothing to pay with
            return
        rng = random.Random(seed)
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        program = self.env.ref("loyalty_tiers.demo_program_member_points")
        shops = self.env.ref("point_of_sale.pos_config_main") | self.env.ref(
            "customer_feedback.demo_pos_config_huaihai"
        )
        products = self.env["product.product"].browse(
            self.env.ref(f"customer_feedback.{xmlid}").id
            for xmlid in (
                "demo_product_wash_and_cut",
                "demo_product_colour",
                "demo_product_care_treatment",
                "demo_product_perm",
                "demo_product_scalp_massage",
            )
        )

        def when(days_ago):
            """A moment ``days_ago`` days back during opening hours; 0: earlier this month."""
            if not days_ago:
                return month_start + (now - month_start) * rng.uniform(0.2, 0.9)
            return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
                days=days_ago, hours=-rng.uniform(10, 20)
            )

        def twice(last, gap):
            """Days ago of two visits, the last ``last`` days ago, ``gap`` days apart or so."""
            return [last + rng.randint(gap // 2, gap), last]

        def regular():
            """Days ago of a regular's visits over the year, never half a year apart (or they went dormant)."""
            first = rng.randint(120, 340)
            return [first, rng.randint(first - 170, 170), 0] if first > 175 else [first, 0]

        profiles = {  # profile: (share of the members, days ago of their visits)
            "prospect": (16, lambda: []),
            "new": (26, lambda: [0] if rng.random() < 0.7 else [rng.randint(1, 25), 0]),
            "active": (64, regular),
            "growing": (24, lambda: [rng.randint(100, 170), rng.randint(30, 80), 0]),
            "at_risk": (28, lambda: twice(rng.randint(80, 150), 25)),
            "dormant": (24, lambda: [rng.randint(190, 330)]),
            "lost": (12, lambda: [rng.randint(370, 420)]),
            # Back this month after more than half a year (dormant) or a year (lost) without a visit.
            "won_back": (
                6,
                lambda: (
                    [*twice(rng.randint(215, 300), 40), rng.randint(1, 20)]
                    if rng.random() < 0.6
                    else [rng.randint(395, 420), rng.randint(1, 20)]
                ),
            ),
        }
        total_share = sum(share for share, _visits in profiles.values())
        plan = [
            name
            for name, (share, _visits) in profiles.items()
            for _index in range(max(round(size * share / total_share), 1))
        ][:size]
        first_names = [
            "Wei",
            "Fang",
            "Jing",
            "Lei",
            "Min",
            "Yan",
            "Jun",
            "Hui",
            "Ling",
            "Tao",
            "Xin",
            "Yu",
            "Hao",
            "Qing",
            "Rui",
            "Ying",
            "Bo",
            "Na",
            "Jie",
            "Lan",
        ]
        last_names = [
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Zhao",
            "Huang",
            "Zhou",
            "Wu",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Hu",
            "Guo",
            "He",
            "Lin",
            "Luo",
            "Gao",
        ]
        names = rng.sample([f"{first} {last}" for last in last_names for first in first_names], len(plan))
        partners = self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@example.com",
                    "phone": f"+86 139 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                    "city": "Shanghai",
                }
                for name in names
            ]
        )
        portal = self.env.ref("base.partner_demo_portal")
        members = [
            {"partner": partner, "profile": profile, "shop": shops[rng.random() < 0.4], "days": profiles[profile][1]()}
            for partner, profile in zip(partners, plan, strict=True)
        ]
        members.append(
            {
                "partner": portal,
                "profile": "active",
                "shop": shops[0],
                "days": [300, 200, 120, 60, 20, 0],
                "portal": True,
            }
        )
        # Everybody joins the programme; most buyers keep a card, topped up before their first visit
        # (and the best once more later), by what makes them Silver, Gold or Diamond.
        Card = self.env["loyalty.card"].sudo()  # as the programme's _member_card, for all members at once
        holders = Card.search([("program_id", "=", program.id)]).partner_id
        Card.create(
            [
                {"program_id": program.id, "partner_id": member["partner"].id, "points": 0.0}
                for member in members
                if member["partner"] not in holders
            ]
        )
        events = []  # (moment, sequence, kind, member, data)
        topped_up = []
        for member in members:
            days = sorted(set(member["days"]), reverse=True)
            member["days"] = days
            if member.get("portal"):
                top_ups = [(days[0] + 2, 2000), (120, 1000)]
            elif not days or rng.random() < 0.5:
                top_ups = []
            else:
                climbs = member["profile"] in ("new", "active", "growing", "at_risk")
                amount = rng.choice([200, 300, 500, 500, 1000, 1000, 2000] + ([3000, 5000, 10000] if climbs else []))
                top_ups = [(days[0] + rng.randint(1, 5), amount)]
                if amount >= 3000 and len(days) > 2:
                    top_ups.append((days[len(days) // 2], rng.choice([1000, 2000])))
            if top_ups:
                topped_up.append(member)
            for days_ago, amount in top_ups:
                events.append((when(days_ago) - timedelta(hours=1), len(events), "top_up", member, amount))
            for days_ago in days:
                shop = member["shop"] if rng.random() < 0.85 else shops - member["shop"]
                kind = "order" if member.get("portal") or (top_ups and rng.random() < 0.7) else "bank_order"
                events.append((when(days_ago), len(events), kind, member, shop))
        # Odoo's demo customers, members of the other demos, come for a wash and cut, paid by bank card.
        for partner, shop, score, reason, days_ago in self._demo_known_answers():
            customer = {"partner": partner, "answer": (score, reason)}
            events.append((now - timedelta(days=days_ago, hours=3), len(events), "bank_order", customer, shop))
        events.sort(key=lambda event: event[:2])

        def basket():
            return products[0] if rng.random() < 0.5 else products[0] | products[rng.randint(1, len(products) - 1)]

        # The members who top up get their stored-value cards at once (dated when they joined, below).
        wallets = self.env["stored.value.card"].create([{"partner_id": member["partner"].id} for member in topped_up])
        for member, wallet in zip(topped_up, wallets, strict=True):
            member["wallet"] = wallet
        method = company._stored_value_pos_payment_method()
        admin = self.env.ref("base.user_admin")
        for shop in shops:
            if not shop.current_session_id:
                if method not in shop.payment_method_ids:
                    shop.payment_method_ids |= method
                shop.with_user(admin).open_ui()
        sessions = shops.current_session_id.with_user(admin)
        # The year's orders are created at once: top-ups at the counter of the member's shop and visits paid
        # by bank card with their payment; the other visits get theirs when paid, from the card if it then
        # holds enough.
        orders_values = []
        card_payments = {}  # sequence: the payment of a visit that may pay from the card, by bank card
        for moment, sequence, kind, member, data in events:
            top_up = kind == "top_up"
            shop = member["shop"] if top_up else data
            values = self._demo_pos_order_values(
                sessions.filtered(lambda session, shop=shop: session.config_id == shop),
                member["partner"],
                moment,
                None if top_up or member.get("answer") else basket(),
                top_up=(member["wallet"], data) if top_up else None,
            )
            if kind == "order":
                card_payments[sequence] = values.pop("payment_ids")[0][2]
                values["amount_paid"] = 0
            orders_values.append(values)
        orders = dict(zip((event[1] for event in events), self.env["pos.order"].create(orders_values), strict=True))
        reasons = {
            "promoter": [
                "Friendly staff and a great result.",
                "The card bonus is generous.",
                "",
                "",
                "Always on time.",
            ],
            "passive": ["Fine, a bit expensive.", "", "Good, but I had to wait."],
            "detractor": [
                "I waited too long at the counter.",
                "The colour was not what I asked for.",
                "My top-up bonus was not shown on the receipt.",
            ],
        }

        def booked_ids():
            """The highest ledger entry, point batch, points history and tier change ids booked so far."""
            self.env.cr.execute(
                SQL(
                    """SELECT (SELECT COALESCE(MAX(id), 0) FROM stored_value_ledger),
                              (SELECT COALESCE(MAX(id), 0) FROM loyalty_point_batch),
                              (SELECT COALESCE(MAX(id), 0) FROM loyalty_history),
                              (SELECT COALESCE(MAX(id), 0) FROM loyalty_tier_history)"""
                )
            )
            return self.env.cr.fetchone()

        def survey(member, moment):
            """``(score, reason)`` of the member's answer about their visit at ``moment``, if they answer."""
            if member.get("portal") and moment >= month_start:
                return 8, "Good, but I had to wait."
            if moment < now - timedelta(days=100) or rng.random() >= (0.25 if moment >= month_start else 0.3):
                return None
            score = rng.choice([10, 10, 9, 9, 9, 8, 8, 7, 6, 4] if member["profile"] != "at_risk" else [9, 7, 6, 5, 3])
            category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            return score, rng.choice(reasons[category])

        answered = []  # (order, score, reason, date answered)
        booked_before = booked_ids()  # by the other demos, which dated theirs
        steps = []  # (moment, *booked_ids() after the step)
        for index, (moment, sequence, kind, member, _data) in enumerate(events):
            order = orders[sequence]
            if kind == "order":
                payment = card_payments[sequence]
                wallet = member.get("wallet")
                if wallet and wallet.currency_id.compare_amounts(wallet.balance, order.amount_total) >= 0:
                    payment = {**payment, "payment_method_id": method.id, "stored_value_card_id": wallet.id}
                order.add_payment({**payment, "pos_order_id": order.id})
            # Paid as at the terminal's sync: its top-ups, card payment and points booked, its member's tiers due.
            order.action_pos_order_paid()
            if member.get("answer"):
                answered.append((order, *member["answer"], moment + timedelta(hours=3)))
            elif kind != "top_up" and (answer := survey(member, moment)):
                answered.append((order, *answer, min(moment + timedelta(minutes=rng.randint(5, 90)), now)))
            # The job reviews the tiers the week's purchases made due, as of the week's last visit; top-ups
            # moved their members up at once.
            if index + 1 == len(events) or events[index + 1][0].isocalendar()[:2] != moment.isocalendar()[:2]:
                self.env["loyalty.card"]._review_due_tiers()
            steps.append((moment, *booked_ids()))
        # A year was booked in this one transaction, of which the planner has no statistics: without them, the
        # follow-up plans the detractors' answers check take seconds (nested loops over rows it thinks few).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "ANALYZE %s",
                SQL(", ").join(
                    SQL.identifier(self.env[model]._table)
                    for model in (
                        "res.partner",
                        "pos.order",
                        "pos.order.line",
                        "pos.payment",
                        "stored.value.card",
                        "stored.value.ledger",
                        "loyalty.card",
                        "loyalty.point.batch",
                        "loyalty.history",
                        "loyalty.tier.history",
                    )
                ),
            )
        )
        self._demo_answer(answered)
        for session in sessions:
            session.action_pos_session_closing_control()
        self._demo_move_back(steps, program, booked_before)
        # Each member joined (got their cards) just before their first top-up or visit; prospects this month.
        joined = {}
        for moment, _sequence, _kind, member, _data in events:
            if not member.get("answer"):  # Odoo's demo customers joined with the other demos
                joined.setdefault(member["partner"].id, moment - timedelta(hours=1))
        self._demo_date_cards(joined, program)
        portal_order = self.env["pos.order"].search([("partner_id", "=", portal.id)], order="date_order desc", limit=1)
        self.env["customer.feedback.case"].create(
            [
                {
                    "name": "Coupon refused at the counter",
                    "partner_id": portal.id,
                    "category_id": self.env.ref("customer_feedback.customer_feedback_category_membership").id,
                    "severity": "normal",
                    "pos_order_id": portal_order.id,
                    "description": "<p>The member's Gold coupon was refused by the till.</p>",
                },
                {
                    "name": "Hair colour faded after a week",
                    "partner_id": partners[1].id,
                    "category_id": self.env.ref("customer_feedback.customer_feedback_category_product").id,
                    "severity": "high",
                    "description": "<p>The customer asks for a free touch-up.</p>",
                },
            ]
        )
        self._demo_run_nightly_reviews(program, today)

    @api.model
    def _demo_move_back(self, steps, program, booked_before):
        """Demo data: date what each step booked at the step's moment, ``steps`` being ``(moment, ledger id,
        point batch id, points history id, tier change id)``, the highest ids after the step, in booking
        order; ``booked_before``, those ids before the first step (of what is not moved)."""
        self.env.flush_all()
        ranges = {"ledger": [], "batch": [], "history": [], "tier_history": []}
        lows = dict(zip(ranges, booked_before, strict=True))
        for moment, *highs in steps:
            for name, high in zip(ranges, highs, strict=True):
                if high > lows[name]:
                    ranges[name].append((lows[name], high, moment))
                    lows[name] = high

        def moved(name):
            low, high, moment = zip(*ranges[name], strict=True) if ranges[name] else ((), (), ())
            return SQL(
                "unnest(%s::int[], %s::int[], %s::timestamp[]) AS step(low, high, moment)",
                list(low),
                list(high),
                list(moment),
            )

        self.env.cr.execute(
            SQL(
                """UPDATE stored_value_ledger entry SET date = step.moment FROM %s
                    WHERE entry.id > step.low AND entry.id <= step.high""",
                moved("ledger"),
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE stored_value_card card SET last_movement_date = moved.last
                     FROM (SELECT card_id, MAX(date) AS last FROM stored_value_ledger GROUP BY card_id) moved
                    WHERE moved.card_id = card.id""",
            )
        )
        # Points expire at the end of the validity's last month after the month they were earned.
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_point_batch batch
                      SET earn_date = step.moment::date,
                          expiry_date = CASE WHEN batch.expiry_date IS NOT NULL
                              THEN (date_trunc('month', step.moment) + make_interval(months => %s + 1)
                                    - interval '1 day')::date END
                     FROM %s
                    WHERE batch.id > step.low AND batch.id <= step.high""",
                program.point_validity_months,
                moved("batch"),
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_history line SET create_date = step.moment FROM %s
                    WHERE line.id > step.low AND line.id <= step.high""",
                moved("history"),
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_tier_history change SET date = step.moment FROM %s
                    WHERE change.id > step.low AND change.id <= step.high""",
                moved("tier_history"),
            )
        )
        self.env.invalidate_all()

    @api.model
    def _demo_date_cards(self, joined, program):
        """Demo data: date the members' cards of ``program`` and their stored-value cards at the moment
        they joined, ``joined`` being ``{partner id: moment}``, instead of the install's."""
        self.env.flush_all()
        rows = SQL(
            "unnest(%s::int[], %s::timestamp[]) AS joined(partner_id, moment)", list(joined), list(joined.values())
        )
        self.env.cr.execute(
            SQL(
                """UPDATE loyalty_card card SET create_date = joined.moment FROM %s
                    WHERE card.partner_id = joined.partner_id AND card.program_id = %s""",
                rows,
                program.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE stored_value_card card SET create_date = joined.moment FROM %s
                    WHERE card.partner_id = joined.partner_id""",
                rows,
            )
        )
        self.env.invalidate_all()

    @api.model
    def _demo_run_nightly_reviews(self, program, today):
        """Demo data: what the nightly jobs do, run once now: points expiry, tier review, value segments,
        life cycle and lifetime value (in the transaction, without the jobs' commits). The life cycle
        runs first as of the first of each month of the last year, as it would have at the time: its
        history then shows members turning dormant, lost, or won back when they returned."""
        Batch = self.env["loyalty.point.batch"].sudo()
        for card in Batch.search([("state", "=", "open"), ("expiry_date", "<", today)]).card_id:
            card._expire_points(today)
        program.coupon_ids._update_tiers(today)
        Partner = self.env["res.partner"]
        company = self.env.company
        self.env.flush_all()
        # The programme's demo already segmented its first members today, before this population bought.
        for snapshot in (
            Partner._rfm_snapshot_name(company, today, RFM_WINDOW_MONTHS),
            Partner._member_figures_snapshot_name(company, today),
        ):
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(snapshot)))
        Progress = self.env["loyalty.night.progress"]
        (Progress._of("rfm", company) | Progress._of("lifecycle", company)).unlink()
        nights = [today.replace(day=1) - relativedelta(months=months) for months in range(11, -1, -1)]
        for night in (night for night in nights if night < today):
            for _done in Partner._batches_by_id("lifecycle", Partner._compute_lifecycle_batch, company, night, 1000):
                pass
            snapshot = Partner._member_figures_snapshot_name(company, night)
            self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(snapshot)))
        for _done in Partner._compute_member_segment_batches(company, today, 1000):
            pass

    @api.model
    def _demo_pos_order_values(self, session, partner, date, products=None, top_up=None):
        """Demo data: the values of an order of ``partner`` in ``session`` at ``date`` of one of each of
        ``products`` (by default the wash and cut), paid by bank card; with ``top_up`` (``(card, amount)``),
        an order that tops that card up instead, paid by bank card."""
        if top_up:
            products = self.env.ref("stored_value_crm.product_stored_value_top_up")
            prices = [top_up[1]]
        else:
            products = products or self.env.ref("customer_feedback.demo_product_wash_and_cut")
            prices = products.mapped("lst_price")
        total = sum(prices)
        method = session.payment_method_ids.filtered(
            lambda method: method.type == "bank" and not method.is_stored_value
        )[:1]
        return {
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
                        "tax_ids": [Command.clear()],
                        **({"stored_value_card_id": top_up[0].id} if top_up else {}),
                    }
                )
                for product, price in zip(products, prices, strict=True)
            ],
            "amount_tax": 0,
            "amount_total": total,
            "amount_paid": total,
            "amount_return": 0,
            "payment_ids": [Command.create({"amount": total, "payment_method_id": method.id})],
        }
