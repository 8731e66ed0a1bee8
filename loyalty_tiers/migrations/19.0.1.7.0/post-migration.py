"""The nightly jobs keep their progress in ``loyalty.night.progress``: the tier review's progress moves there,
and the contacts' per-company marks of the segments and values (``rfm_date``, ``member_value_date``) become
the progress of their job as of each company's last run. The old table and columns go: Odoo keeps the table
of a model and the column of a field that are no longer there."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists


def migrate(cr, version):
    if table_exists(cr, "loyalty_tier_review_progress"):
        cr.execute(
            """INSERT INTO loyalty_night_progress (job, run_date, last_id, create_date, write_date)
               SELECT 'tier_review', review_date, last_card_id, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                 FROM loyalty_tier_review_progress ORDER BY id DESC LIMIT 1"""
        )
        cr.execute("DROP TABLE loyalty_tier_review_progress")  # Odoo keeps the table of a model it no longer has
    for job, column in (("rfm", "rfm_date"), ("lifecycle", "member_value_date")):
        if not column_exists(cr, "res_partner", column):
            continue
        cr.execute(
            SQL(
                """INSERT INTO loyalty_night_progress (job, company_id, run_date, last_id, done_date,
                                                      create_date, write_date)
                   SELECT %(job)s, company.id, MAX(mark.day::date), MAX(partner.id), MAX(mark.day::date),
                          NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                     FROM res_partner partner
                    CROSS JOIN LATERAL jsonb_each_text(partner.%(column)s) AS mark(company, day)
                     JOIN res_company company ON company.id::text = mark.company
                    GROUP BY company.id""",
                job=job,
                column=SQL.identifier(column),
            )
        )
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(column)))
