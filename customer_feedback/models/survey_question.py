from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The scale each feedback score is asked on: NPS from 0 to 10, satisfaction (CSAT) from 1 to 5.
FEEDBACK_SCALES = {"nps": (0, 10), "csat": (1, 5)}


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    feedback_metric = fields.Selection(
        [("nps", "NPS (0-10)"), ("csat", "Satisfaction (1-5)")],
        string="Feedback Score",
        help="The answer to this scale question scores the customer.",
    )

    @api.constrains("feedback_metric", "question_type", "scale_min", "scale_max")
    def _check_feedback_metric(self):
        for question in self.filtered("feedback_metric"):
            low, high = FEEDBACK_SCALES[question.feedback_metric]
            if question.question_type != "scale" or (question.scale_min, question.scale_max) != (low, high):
                raise ValidationError(
                    self.env._(
                        "Question “%(question)s”: a %(metric)s score is asked on a scale from %(low)s to %(high)s.",
                        question=question.title,
                        metric=dict(self._fields["feedback_metric"]._description_selection(self.env))[
                            question.feedback_metric
                        ],
                        low=low,
                        high=high,
                    )
                )
