"""Ledger entries say where and by whom they were made (point of sale, store, employee): the entries booked
before are labelled from their source documents, else from the user who booked them."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["stored.value.ledger"]._served_backfill(
        SQL(
            """SELECT ledger.id,
                      CASE WHEN split_part(ledger.source_ref, ',', 1) = 'pos.order'
                           THEN split_part(ledger.source_ref, ',', 2)::int END AS pos_order_id,
                      CASE WHEN split_part(ledger.source_ref, ',', 1) = 'sale.order'
                           THEN split_part(ledger.source_ref, ',', 2)::int END AS sale_order_id,
                      CASE split_part(ledger.source_ref, ',', 1)
                           WHEN 'account.move' THEN split_part(ledger.source_ref, ',', 2)::int
                           -- a payment of invoices is labelled by its first invoice
                           WHEN 'account.payment' THEN (
                               SELECT min(paid.invoice_id) FROM account_move__account_payment paid
                                WHERE paid.payment_id = split_part(ledger.source_ref, ',', 2)::int)
                      END AS move_id,
                      ledger.user_id, ledger.company_id
                 FROM stored_value_ledger ledger
                WHERE ledger.employee_id IS NULL OR ledger.crm_team_id IS NULL"""
        )
    )
