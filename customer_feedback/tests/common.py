from uuid import uuid4

from odoo import fields
from odoo.fields import Command

from odoo.addons.stored_value_crm.tests.common import StoredValueCommon


class CustomerFeedbackCommon(StoredValueCommon):
    """Stored-value fixtures plus a shop, its cashier, feedback users of each group and a portal customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("point_of_sale.group_pos_manager") + cls.env.ref(
            "customer_feedback.group_customer_feedback_manager"
        )
        cls.nps_survey = cls.env.ref("customer_feedback.survey_nps")
        cls.nps_question = cls.env.ref("customer_feedback.survey_nps_q_score")
        cls.reason_question = cls.env.ref("customer_feedback.survey_nps_q_reason")
        cls.csat_survey = cls.env.ref("customer_feedback.survey_csat")
        cls.csat_question = cls.env.ref("customer_feedback.survey_csat_q_score")
        cls.holder.email = "li.na@example.com"
        cls.other_holder.email = "wang.wei@example.com"
        cls.cashier = cls._create_sv_user("fb_cashier", "Shop Cashier", ["point_of_sale.group_pos_user"], [])
        cls.feedback_user = cls._create_sv_user(
            "fb_user", "Customer Service", ["customer_feedback.group_customer_feedback_user"], []
        )
        cls.feedback_manager = cls._create_sv_user(
            "fb_manager", "Service Manager", ["customer_feedback.group_customer_feedback_manager"], []
        )
        cls.portal_user = cls._create_portal_user(
            "fb_portal", "fb_portal_pw", name="Zhao Lei", email="zhao.lei@example.com"
        )
        cls.portal_partner = cls.portal_user.partner_id
        # The customers agreed to emails (surveys) and calls (follow-ups).
        cls.holder.phone = "+86 138 0013 8000"
        cls.other_holder.phone = "+86 139 0013 9000"
        (cls.holder | cls.other_holder | cls.portal_partner)._stored_value_set_consent(
            {"email": True, "phone": True}, "backoffice"
        )
        for severity, hours, reminder in (("low", 168, 48), ("normal", 72, 24), ("high", 24, 8), ("urgent", 4, 1)):
            cls.env["customer.feedback.sla"].create(
                {
                    "company_id": cls.company.id,
                    "severity": severity,
                    "resolution_hours": hours,
                    "reminder_hours": reminder,
                }
            )
        cls._setup_shop()

    @classmethod
    def _setup_shop(cls):
        cls.pos_config = cls.env["pos.config"].create({"name": "Shop Nanjing Road"})
        cls.cash_method = cls.pos_config.payment_method_ids.filtered("is_cash_count")[:1]
        if not cls.cash_method:
            cls.cash_method = cls.env["pos.payment.method"].create(
                {"name": "Cash", "journal_id": cls.cash_journal.id, "company_id": cls.company.id}
            )
            cls.pos_config.payment_method_ids = [Command.link(cls.cash_method.id)]
        cls.product = cls.env["product.product"].create(
            {"name": "Haircut", "available_in_pos": True, "list_price": 120.0, "taxes_id": [Command.clear()]}
        )
        cls.pos_config.open_ui()
        cls.pos_session = cls.pos_config.current_session_id
        cls.pos_session.set_opening_control(0, None)

    @classmethod
    def _create_rule(cls, **values):
        return cls.env["customer.feedback.invitation.rule"].create(
            {
                "name": "NPS after shop purchases",
                "company_id": cls.company.id,
                "survey_id": cls.nps_survey.id,
                "purchase_type": "pos_order",
                "channel": "qr",
                **values,
            }
        )

    def sell_at_pos(self, partner, amount=120.0, user=None, session=None, **order_values):
        """A paid point of sale order, synchronised as the point of sale sends it (with ``order_values``)."""
        session = session or self.pos_session
        uuid = str(uuid4())
        data = {
            "uuid": uuid,
            "name": f"Order {uuid[:8]}",
            "session_id": session.id,
            "partner_id": partner and partner.id,
            "pricelist_id": session.config_id.pricelist_id.id,
            "fiscal_position_id": False,
            "user_id": (user or self.cashier).id,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "amount_paid": amount,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": amount,
            "state": "paid",
            "last_order_preparation_change": "{}",
            "to_invoice": False,
            "lines": [
                Command.create(
                    {
                        "product_id": self.product.id,
                        "qty": 1,
                        "price_unit": amount,
                        "price_subtotal": amount,
                        "price_subtotal_incl": amount,
                        "tax_ids": [],
                        "pack_lot_ids": [],
                    }
                )
            ],
            "payment_ids": [
                Command.create(
                    {"amount": amount, "payment_method_id": self.cash_method.id, "name": fields.Datetime.now()}
                )
            ],
            **order_values,
        }
        result = self.env["pos.order"].with_user(user or self.cashier).sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"]), result

    def answer(self, partner, nps=None, csat=None, reason=None, survey=None, invitation=None):
        """``partner`` answers a feedback survey (through ``invitation`` when given) and submits it.

        The survey pages save answers as superuser once the answer's token is checked; so does this.
        """
        survey = survey or (self.nps_survey if nps is not None else self.csat_survey)
        user_input = (invitation.user_input_id if invitation else survey._create_answer(partner=partner)).sudo()
        if nps is not None:
            user_input._save_lines(self.nps_question, str(nps))  # as the survey page posts it
        if csat is not None:
            user_input._save_lines(self.csat_question, str(csat))
        if reason:
            user_input._save_lines(self.reason_question, reason)
        user_input._mark_done()
        return user_input
