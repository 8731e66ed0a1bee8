"""Point batches say where and by whom their points were earned (point of sale, store, employee): the
batches booked before are labelled from the orders and invoices their keys name, those of top-ups from
the top-up's ledger entry, else from the user who created them."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # The points of a top-up (or of its gift pack) are labelled as its ledger entry is.
    cr.execute(
        SQL(
            """UPDATE loyalty_point_batch batch
                  SET pos_config_id = entry.pos_config_id, crm_team_id = entry.crm_team_id,
                      employee_id = entry.employee_id
                 FROM stored_value_ledger entry
                WHERE batch.employee_id IS NULL AND batch.crm_team_id IS NULL AND (
                      entry.idempotency_key
                          = substring(batch.source_key FROM '^stored\\.value\\.topup/(.*)/card/[0-9]+$')
                   OR split_part(batch.source_key, '/', 1) = 'stored.value.ledger,' || entry.id)"""
        )
    )
    # Other keys start with their document ("pos.order,7/card/3", "sale.order,5/0/card/3"), if any.
    env["loyalty.point.batch"]._served_backfill(
        SQL(
            """SELECT batch.id,
                      CASE WHEN source.model = 'pos.order' THEN source.res_id END AS pos_order_id,
                      CASE WHEN source.model = 'sale.order' THEN source.res_id END AS sale_order_id,
                      CASE WHEN source.model = 'account.move' THEN source.res_id END AS move_id,
                      batch.create_uid AS user_id, batch.company_id
                 FROM loyalty_point_batch batch
                 JOIN LATERAL (
                      SELECT split_part(split_part(batch.source_key, '/', 1), ',', 1) AS model,
                             CASE WHEN split_part(split_part(batch.source_key, '/', 1), ',', 2) ~ '^[0-9]+$'
                                  THEN split_part(split_part(batch.source_key, '/', 1), ',', 2)::int END AS res_id
                      ) source ON TRUE
                WHERE (batch.employee_id IS NULL OR batch.crm_team_id IS NULL)
                  AND source.model != 'stored.value.ledger'
                  AND batch.source_key NOT LIKE 'stored.value.topup/%%'"""
        )
    )
