"""A point batch's source key is indexed once, by its unique constraint: the upgrade drops the second index
the field used to ask for (Odoo keeps an index a field no longer declares)."""


def migrate(cr, version):
    cr.execute("DROP INDEX IF EXISTS loyalty_point_batch__source_key_index")
