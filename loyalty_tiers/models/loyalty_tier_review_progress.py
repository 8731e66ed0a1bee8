from odoo import api, fields, models


class LoyaltyTierReviewProgress(models.Model):
    """Where the nightly tier review stands: the day it reviews and the last card it committed.

    A killed run resumes after that card, so nobody is reviewed twice in a night, and the review writes
    only the cards whose tier it changes or confirms instead of marking every card it read.
    """

    _name = "loyalty.tier.review.progress"
    _description = "Progress of the Tier Review"

    review_date = fields.Date(required=True, readonly=True)
    last_card_id = fields.Integer(string="Last Card Reviewed", readonly=True)

    @api.model
    def _reviewed_up_to(self, today):
        """The id of the last card the review of ``today`` committed (0 when it has not started)."""
        progress = self.sudo().search([], limit=1)
        return progress.last_card_id if progress.review_date == today else 0

    @api.model
    def _record(self, today, last_card_id):
        """Write down, in the batch's transaction, that the review of ``today`` reached ``last_card_id``."""
        progress = self.sudo().search([], limit=1)  # sudo: the cron's own bookkeeping, whoever runs it
        values = {"review_date": today, "last_card_id": last_card_id}
        if progress:
            progress.write(values)
        else:
            progress.create(values)
