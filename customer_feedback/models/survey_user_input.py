from odoo import api, fields, models

NPS_CATEGORIES = [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")]


def nps_category(score):
    """The NPS category of a 0-10 answer: 9-10 promoter, 7-8 passive, 0-6 detractor."""
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "stored.value.guard"]

    # Set from the invitation when it is created (see ``customer.feedback.invitation._invite``): a survey
    # officer who may edit answers may not move them to another store or employee.
    _protected_fields = frozenset({"feedback_pos_config_id", "feedback_crm_team_id", "feedback_employee_id"})

    feedback_pos_order_id = fields.Many2one(
        "pos.order", string="Point of Sale Order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_followed_case_id = fields.Many2one(
        "customer.feedback.case",
        string="Followed-up Complaint",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The resolved complaint case this survey asks about.",
    )
    # Where and by whom the customer was served (the invitation's), for the reports by store and employee.
    feedback_pos_config_id = fields.Many2one(
        "pos.config", string="Point of Sale", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_crm_team_id = fields.Many2one(
        "crm.team", string="Store / Sales Team", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_employee_id = fields.Many2one(
        "hr.employee", string="Served By", readonly=True, index="btree_not_null", ondelete="set null"
    )
    feedback_nps_score = fields.Integer(string="NPS Answer", compute="_compute_feedback_scores", store=True)
    feedback_nps_category = fields.Selection(
        NPS_CATEGORIES, string="NPS Category", compute="_compute_feedback_scores", store=True
    )
    feedback_csat_score = fields.Integer(
        string="Satisfaction",
        compute="_compute_feedback_scores",
        store=True,
        help="The satisfaction answer, 1 to 5; 0 when the question was not answered.",
    )
    feedback_case_ids = fields.One2many("customer.feedback.case", "user_input_id", string="Complaint Cases")

    @api.depends(
        "user_input_line_ids.value_scale",
        "user_input_line_ids.skipped",
        "user_input_line_ids.question_id.feedback_metric",
    )
    def _compute_feedback_scores(self):
        for answer in self:
            scores = {
                line.question_id.feedback_metric: line.value_scale
                for line in answer.user_input_line_ids
                if line.question_id.feedback_metric and not line.skipped and line.answer_type == "scale"
            }
            nps = scores.get("nps")
            answer.feedback_nps_score = nps or 0
            answer.feedback_nps_category = nps is not None and nps_category(nps)
            answer.feedback_csat_score = scores.get("csat", 0)

    def _mark_done(self):
        result = super()._mark_done()
        self.filtered(lambda answer: answer.survey_id.is_customer_feedback and not answer.test_entry)._feedback_done()
        return result

    def _feedback_done(self):
        """Take in completed feedback answers: their invitations are answered, the partners' scores move,
        and each detractor gets a complaint case.

        Customers answer through their token as the public user: what follows is the system's doing.
        """
        answers = self.sudo()
        if not answers:
            return
        self.env["customer.feedback.invitation"].sudo().search([("user_input_id", "in", answers.ids)])._mark_answered()
        answers.partner_id._feedback_recompute_scores()
        detractors = answers.filtered(
            lambda answer: (
                answer.feedback_nps_category == "detractor" and answer.partner_id and not answer.feedback_case_ids
            )
        )
        self.env["customer.feedback.case"].sudo()._open_for_detractors(detractors)

    def _feedback_comments(self):
        """The customer's own words in this answer (free text questions), one per line."""
        self.ensure_one()
        return "\n".join(
            line.value_text_box or line.value_char_box
            for line in self.user_input_line_ids
            if line.answer_type in ("text_box", "char_box") and not line.skipped
        )
