from odoo import api, fields, models

NIGHTLY_JOBS = [
    ("tier_review", "Tier review"),
    ("rfm", "Value segments (RFM)"),
    ("lifecycle", "Life cycle and value"),
]


class LoyaltyNightProgress(models.Model):
    """Where each nightly job of the members stands: the day it works on and the last record it committed.

    A killed run resumes after that record, so nobody is done twice in a night, and the jobs write only
    the rows whose figures change instead of marking every row they read as done today.
    """

    _name = "loyalty.night.progress"
    _description = "Progress of a Nightly Member Job"

    job = fields.Selection(NIGHTLY_JOBS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, ondelete="cascade", help="Empty: every company's.")
    run_date = fields.Date(string="Run Of", required=True, readonly=True)
    last_id = fields.Integer(string="Last Record Done", readonly=True)
    done_date = fields.Date(string="Last Run Completed", readonly=True)

    _job_company_unique = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (job, company_id)", "A nightly job has one progress per company."
    )

    @api.model
    def _of(self, job, company=None):
        # sudo: the crons' own bookkeeping, read and written whoever runs them
        return self.sudo().search([("job", "=", job), ("company_id", "=", company.id if company else False)], limit=1)

    @api.model
    def _reached(self, job, today, company=None):
        """The id of the last record the run of ``today`` committed (0 when it has not started)."""
        progress = self._of(job, company)
        return progress.last_id if progress.run_date == today else 0

    @api.model
    def _record(self, job, today, last_id, company=None, done=False):
        """Write down, in the batch's transaction, that the run of ``today`` reached ``last_id`` (and went
        through, when ``done``)."""
        progress = self._of(job, company)
        values = {"run_date": today, "last_id": last_id}
        if done:
            values["done_date"] = today
        if progress:
            progress.write(values)
        else:
            progress.create({**values, "job": job, "company_id": company.id if company else False})

    @api.model
    def _last_dates(self, job, company, record_ids):
        """``{record id: date}``: the day of the last run that reached each of ``record_ids``."""
        progress = self._of(job, company)
        return {
            record_id: progress.run_date if record_id <= progress.last_id else progress.done_date
            for record_id in record_ids
        }
