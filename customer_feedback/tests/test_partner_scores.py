from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestPartnerScores(CustomerFeedbackCommon):
    """NPS, satisfaction and response rate on the customer, computed from their answers."""

    def test_last_nps_answer_and_its_category(self):
        self.answer(self.holder, nps=10)
        self.assertEqual((self.holder.feedback_nps_score, self.holder.feedback_nps_category), (10, "promoter"))
        self.answer(self.holder, nps=7)
        self.assertEqual((self.holder.feedback_nps_score, self.holder.feedback_nps_category), (7, "passive"))
        answer = self.answer(self.holder, nps=0)
        self.assertEqual((self.holder.feedback_nps_score, self.holder.feedback_nps_category), (0, "detractor"))
        self.assertEqual(self.holder.feedback_nps_date, answer.end_datetime)

    def test_satisfaction_is_the_average_of_the_recent_answers(self):
        self.env["ir.config_parameter"].set_param("customer_feedback.csat_window_days", 90)
        start = fields.Datetime.now()
        with freeze_time(start - timedelta(days=120)):
            self.answer(self.holder, csat=1)
        with freeze_time(start):
            self.answer(self.holder, csat=4)
            self.answer(self.holder, csat=5)
            self.assertAlmostEqual(self.holder.feedback_csat_average, 4.5)
            self.assertFalse(self.holder.feedback_nps_category, "a satisfaction survey gives no NPS")

    def test_response_rate_counts_answered_invitations(self):
        self.company.feedback_invitation_interval_days = 0
        self._create_rule()
        self.sell_at_pos(self.holder)
        self.sell_at_pos(self.holder)
        first, second = self.env["customer.feedback.invitation"].search(
            [("partner_id", "=", self.holder.id)], order="id"
        )
        self.answer(self.holder, nps=9, invitation=first)
        self.assertEqual((first.state, second.state), ("answered", "sent"))
        self.assertAlmostEqual(self.holder.feedback_response_rate, 50.0)

    def test_unfinished_and_test_answers_do_not_count(self):
        self.nps_survey._create_answer(partner=self.holder).sudo()._save_lines(self.nps_question, "2")
        test_answer = self.nps_survey._create_answer(partner=self.holder, test_entry=True).sudo()
        test_answer._save_lines(self.nps_question, "1")
        test_answer._mark_done()
        self.holder._feedback_recompute_scores()
        self.assertFalse(self.holder.feedback_nps_category)

    def test_nightly_recompute_covers_every_customer_in_one_pass(self):
        customers = self.env["res.partner"].create([{"name": f"Member {n}"} for n in range(30)])
        for n, customer in enumerate(customers):
            self.answer(customer, nps=n % 11)
        self.env.cr.execute("UPDATE res_partner SET feedback_nps_category = NULL WHERE id = ANY(%s)", [customers.ids])
        customers.invalidate_recordset()
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_recompute_feedback_scores()
        categories = customers.mapped("feedback_nps_category")
        self.assertEqual(categories.count("promoter"), 4)
        self.assertEqual(categories.count("detractor"), 21)

    def test_feedback_questions_must_use_their_scale(self):
        with self.assertRaisesRegex(ValidationError, "scale from 0 to 10"), self.env.cr.savepoint():
            self.nps_question.scale_max = 5
        self.assertEqual(self.nps_question.scale_max, 10)
        question = self.env["survey.question"].create(
            {"title": "Tell us", "survey_id": self.csat_survey.id, "question_type": "text_box"}
        )
        with self.assertRaisesRegex(ValidationError, "scale from 1 to 5"), self.env.cr.savepoint():
            question.feedback_metric = "csat"
        self.assertFalse(question.feedback_metric)
