from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .survey_user_input import NPS_CATEGORIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Scores are written by _feedback_recompute_scores in SQL, for many partners at once.
    feedback_nps_score = fields.Integer(string="Last NPS Answer", readonly=True, groups="base.group_user")
    feedback_nps_category = fields.Selection(
        NPS_CATEGORIES, string="NPS Category", readonly=True, index="btree_not_null", groups="base.group_user"
    )
    feedback_nps_date = fields.Datetime(string="Last NPS Answered On", readonly=True, groups="base.group_user")
    feedback_csat_average = fields.Float(
        string="Satisfaction",
        readonly=True,
        digits=(3, 2),
        groups="base.group_user",
        help="Average of the customer's satisfaction answers (1 to 5) of the last days set in the settings.",
    )
    feedback_response_rate = fields.Float(
        string="Response Rate (%)",
        readonly=True,
        digits=(5, 1),
        groups="base.group_user",
        help="Share of the survey invitations sent to the customer that they answered.",
    )
    feedback_case_ids = fields.One2many("customer.feedback.case", "partner_id", string="Complaint Cases")
    feedback_open_case_count = fields.Integer(
        string="Open Complaints",
        compute="_compute_feedback_open_case_count",
        groups="customer_feedback.group_customer_feedback_user",
    )

    def _compute_feedback_open_case_count(self):
        counts = dict(
            self.env["customer.feedback.case"]._read_group(
                [("partner_id", "in", self.ids), ("state", "in", ("new", "in_progress"))], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.feedback_open_case_count = counts.get(partner, 0)

    def _feedback_recompute_scores(self):
        """Recompute the feedback scores of the partners of ``self`` from their answers, in one statement.

        Last NPS answer and its category, average satisfaction over the configured window, and the
        share of invitations answered (of those sent, answered or expired).
        """
        if not self:
            return
        window = int(self.env["ir.config_parameter"].sudo().get_param("customer_feedback.csat_window_days", 90))
        self.env["survey.user_input"].flush_model()
        self.env["customer.feedback.invitation"].flush_model(["partner_id", "state"])
        self.env.cr.execute(
            SQL(
                """WITH answer AS (
                        SELECT answer.partner_id, answer.feedback_nps_score, answer.feedback_nps_category,
                               answer.feedback_csat_score, answer.end_datetime, answer.id
                          FROM survey_user_input answer
                          JOIN survey_survey survey ON survey.id = answer.survey_id AND survey.is_customer_feedback
                         WHERE answer.partner_id = ANY(%(ids)s) AND answer.state = 'done'
                           AND NOT COALESCE(answer.test_entry, FALSE)
                   ), last_nps AS (
                        SELECT DISTINCT ON (partner_id) partner_id, feedback_nps_score, feedback_nps_category,
                               end_datetime
                          FROM answer WHERE feedback_nps_category IS NOT NULL
                         ORDER BY partner_id, end_datetime DESC, id DESC
                   ), csat AS (
                        SELECT partner_id, AVG(feedback_csat_score) AS average FROM answer
                         WHERE feedback_csat_score > 0 AND end_datetime >= %(since)s
                         GROUP BY partner_id
                   ), rate AS (
                        SELECT partner_id, 100.0 * COUNT(*) FILTER (WHERE state = 'answered') / COUNT(*) AS rate
                          FROM customer_feedback_invitation
                         WHERE partner_id = ANY(%(ids)s) AND state IN ('sent', 'answered', 'expired')
                         GROUP BY partner_id
                   )
                   UPDATE res_partner partner
                      SET feedback_nps_score = last_nps.feedback_nps_score,
                          feedback_nps_category = last_nps.feedback_nps_category,
                          feedback_nps_date = last_nps.end_datetime,
                          feedback_csat_average = csat.average,
                          feedback_response_rate = rate.rate
                     FROM res_partner target
                LEFT JOIN last_nps ON last_nps.partner_id = target.id
                LEFT JOIN csat ON csat.partner_id = target.id
                LEFT JOIN rate ON rate.partner_id = target.id
                    WHERE target.id = ANY(%(ids)s) AND partner.id = target.id""",
                ids=self.ids,
                since=fields.Datetime.now() - timedelta(days=window),
            )
        )
        self.invalidate_recordset(
            [
                "feedback_nps_score",
                "feedback_nps_category",
                "feedback_nps_date",
                "feedback_csat_average",
                "feedback_response_rate",
            ]
        )

    @api.model
    def _cron_recompute_feedback_scores(self, batch_size=1000):
        """Recompute every scored or invited partner's scores (the satisfaction window moves with time)."""
        self.env.cr.execute(
            SQL(
                """SELECT partner_id FROM survey_user_input WHERE partner_id IS NOT NULL AND state = 'done'
                   UNION SELECT partner_id FROM customer_feedback_invitation
                   UNION SELECT id FROM res_partner WHERE feedback_nps_category IS NOT NULL
                   ORDER BY 1"""
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(partner_ids), batch_size):
            batch = partner_ids[start : start + batch_size]
            self.browse(batch)._feedback_recompute_scores()
            if not self.env["ir.cron"]._commit_progress(len(batch), remaining=len(partner_ids) - start - len(batch)):
                return

    def action_view_feedback_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_feedback.customer_feedback_case_action")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Privacy: the customer's feedback in the export and the anonymisation
    # ------------------------------------------------------------------

    def _stored_value_privacy_export(self):
        """Adds the customer's survey answers, feedback scores, invitations and complaint cases."""
        data = super()._stored_value_privacy_export()
        answers = self.env["survey.user_input"].search([("partner_id", "=", self.id)], order="create_date, id")
        data["survey_answers"] = [
            {
                **row,
                "answers": self._stored_value_export_rows(
                    answer.user_input_line_ids,
                    [
                        "question_id",
                        "answer_type",
                        "skipped",
                        "value_char_box",
                        "value_text_box",
                        "value_numerical_box",
                        "value_scale",
                        "value_date",
                        "value_datetime",
                        "suggested_answer_id",
                        "matrix_row_id",
                    ],
                ),
            }
            for answer, row in zip(
                answers,
                self._stored_value_export_rows(
                    answers,
                    [
                        "survey_id",
                        "state",
                        "create_date",
                        "end_datetime",
                        "email",
                        "nickname",
                        "feedback_nps_score",
                        "feedback_csat_score",
                    ],
                ),
                strict=True,
            )
        ]
        data["feedback_scores"] = self._stored_value_export_rows(
            self,
            [
                "feedback_nps_score",
                "feedback_nps_category",
                "feedback_nps_date",
                "feedback_csat_average",
                "feedback_response_rate",
            ],
        )
        data["feedback_invitations"] = self._stored_value_export_rows(
            self.env["customer.feedback.invitation"].search([("partner_id", "=", self.id)], order="id"),
            ["survey_id", "channel", "state", "scheduled_date", "sent_date", "answered_date", "not_sent_reason"],
        )
        data["complaint_cases"] = self._stored_value_export_rows(
            self.env["customer.feedback.case"].search([("partner_id", "=", self.id)], order="id"),
            [
                "reference",
                "name",
                "company_id",
                "state",
                "category_id",
                "severity",
                "opened_date",
                "resolved_date",
                "description",
                "resolution_note",
                "compensation_type",
                "compensation_state",
            ],
        )
        return data

    def _stored_value_anonymise(self):
        """The survey answers are detached from the customer (they still count in the survey's statistics);
        the complaint cases stay, on the anonymised contact, with their compensations."""
        answers = self.env["survey.user_input"].search([("partner_id", "=", self.id)])
        answers.write({"partner_id": False, "email": False, "nickname": False})
        result = super()._stored_value_anonymise()
        self._feedback_recompute_scores()
        return result
