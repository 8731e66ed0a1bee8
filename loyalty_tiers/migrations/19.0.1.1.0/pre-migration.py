from odoo.tools import SQL

# The RFM scores became company-dependent (jsonb, one value per company); the old single-company
# values are dropped and the nightly segmentation scores every company again.
RFM_COLUMNS = (
    "rfm_recency_score",
    "rfm_frequency_score",
    "rfm_monetary_score",
    "rfm_segment",
    "rfm_last_order_date",
    "rfm_order_count",
    "rfm_amount",
    "rfm_currency_id",
    "rfm_date",
)


def migrate(cr, version):
    for column in RFM_COLUMNS:
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN IF EXISTS %s", SQL.identifier(column)))
