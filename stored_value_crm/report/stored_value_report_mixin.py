from odoo import api, models, tools
from odoo.tools import SQL


class StoredValueReportMixin(models.AbstractModel):
    """A report read from an SQL view of the model's :meth:`_query`, made again at every install and update.

    The reports take the day and the month of a moment in the time zone of its company
    (:meth:`_company_zones_sql`), as the shops live them, not in UTC.
    """

    _name = "stored.value.report.mixin"
    _description = "Stored Value Report (SQL view)"
    # The companies' time zones, flushed before any query of a report (a report reading more adds its own).
    _depends = {"res.partner": ["tz"], "res.company": ["partner_id"]}

    def _query(self):
        """The view's rows, as an ``SQL`` query with one unique ``id`` per row."""
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    @api.model
    def _company_zones_sql(self):
        """Each company's time zone as ``company_id, tz`` rows: that of the company's address, else UTC."""
        return SQL(
            """SELECT company.id AS company_id, COALESCE(NULLIF(address.tz, ''), 'UTC') AS tz
                 FROM res_company company JOIN res_partner address ON address.id = company.partner_id"""
        )

    @api.model
    def _local_sql(self, moment, zone):
        """The UTC timestamp ``moment`` as the wall-clock time of the time zone name ``zone`` (both ``SQL``)."""
        return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", moment, zone)
