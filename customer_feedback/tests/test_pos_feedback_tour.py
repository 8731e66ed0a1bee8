from odoo.tests import tagged

from odoo.addons.stored_value_crm.tests.common import StoredValuePosTourCase


@tagged("post_install", "-at_install")
class TestPosFeedbackTour(StoredValuePosTourCase):
    """In Chromium: the receipt invites the customer to the survey, whose link they open and answer;
    the cashier opens a complaint from the point of sale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("customer_feedback.group_customer_feedback_manager") + cls.env.ref(
            "stored_value_crm.group_stored_value_manager"
        )
        cls.company = cls.main_pos_config.company_id
        cls.env["product.product"].create(
            {"name": "Haircut", "list_price": 60.0, "available_in_pos": True, "taxes_id": False}
        )
        cls.customer = cls.env["res.partner"].create({"name": "AAA Li Na", "phone": "+86 138 0013 8000"})
        cls.customer._stored_value_set_consent({"phone": True}, "pos")  # the detractor call needs it
        cls.env["customer.feedback.invitation.rule"].create(
            {
                "name": "NPS on every receipt",
                "company_id": cls.company.id,
                "survey_id": cls.env.ref("customer_feedback.survey_nps").id,
                "purchase_type": "pos_order",
                "channel": "qr",
            }
        )

    def paid_order(self):
        return self.env["pos.order"].search([("partner_id", "=", self.customer.id), ("state", "=", "paid")])

    def test_customer_answers_the_survey_of_their_receipt(self):
        # The receipt prints the absolute link: let it point at the test server.
        self.env["ir.config_parameter"].set_param("web.base.url", self.base_url())
        plan = self.env["stored.value.followup.plan"].create(
            {
                "name": "Call every detractor",
                "company_id": self.company.id,
                "feedback_criterion": "detractor",
                "card_holders_only": False,
                "interval_days": 3,
                "responsible_type": "user",
                "user_id": self.env.user.id,
            }
        )
        self.start_pos_tour("CustomerFeedbackReceiptSurveyTour")
        order = self.paid_order()
        self.assertEqual(order.feedback_invitation_id.state, "answered")
        self.assertEqual((self.customer.feedback_nps_score, self.customer.feedback_nps_category), (2, "detractor"))
        case = self.env["customer.feedback.case"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((case.origin, case.pos_order_id, case.severity), ("survey", order, "high"))
        self.assertIn("rude", case.description)
        activity = self.env["mail.activity"].search(
            [("stored_value_followup_plan_id", "=", plan.id), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual((activity.res_model, activity.user_id), ("res.partner", self.env.user))

    def test_cashier_opens_a_complaint_after_the_sale(self):
        self.start_pos_tour("CustomerFeedbackComplaintTour")
        case = self.env["customer.feedback.case"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (case.origin, case.name, case.severity, case.pos_order_id),
            ("pos", "Wrong change given", "high", self.paid_order()),
        )
        self.assertEqual(case.create_uid, self.pos_user)
