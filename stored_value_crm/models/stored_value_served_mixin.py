from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

# Documents that name who sold and for which team: their salesperson field.
SELLER_FIELDS = {"pos.order": "user_id", "sale.order": "user_id", "account.move": "invoice_user_id"}


class StoredValueServedMixin(models.AbstractModel):
    """Where and by whom a customer was served: the point of sale, the store (sales team) and the employee.

    Ledger entries, point batches and feedback invitations carry them so that reports group by store and
    employee. The posting code sets them from what the server owns (the POS order, the source document,
    the user booking), never from values a client sends: see :meth:`_served_values`.
    """

    _name = "stored.value.served.mixin"
    _description = "Where and By Whom a Customer Was Served"

    pos_config_id = fields.Many2one(
        "pos.config", string="Point of Sale", readonly=True, index="btree_not_null", ondelete="set null"
    )
    crm_team_id = fields.Many2one(
        "crm.team", string="Store / Sales Team", readonly=True, index="btree_not_null", ondelete="set null"
    )
    employee_id = fields.Many2one(
        "hr.employee", string="Served By", readonly=True, index="btree_not_null", ondelete="set null"
    )

    @api.model
    def _served_values(self, document, company):
        """``{pos_config_id, crm_team_id, employee_id}`` of a movement from ``document`` in ``company``.

        ``document`` is a record or ``"model,id"`` (a POS order, a sales order, an invoice, a payment of
        invoices), or nothing. The point of sale and its team come from the POS order; the team otherwise
        from the document's sales team; the employee from the cashier pos_hr logged on the order (if the
        shop lets them log in), else from the document's salesperson or the user booking, in ``company``;
        the team last from that user's sales team.
        """
        # sudo: these are read to label a booking the caller was allowed to make; the cashier may not
        # read employees or teams.
        # An order's payments, top-ups and points are labelled alike: worked out once per transaction.
        memo = self.env.cr.cache.setdefault("stored_value_served", {})
        reference = f"{document._name},{document[:1].id}" if isinstance(document, models.BaseModel) else document
        key = (reference or "", company.id, self.env.uid)
        if key not in memo:
            memo[key] = self._served_values_of_document(self._served_document(document).sudo(), company)
        return dict(memo[key])

    @api.model
    def _served_values_of_document(self, document, company):
        """What :meth:`_served_values` returns, worked out from ``document`` (a record, sudo)."""
        if document._name == "account.payment":
            document = document.invoice_ids[:1]
        config = document.config_id if document._name == "pos.order" else self.env["pos.config"]
        team = config.crm_team_id if config else self.env["crm.team"]
        if not team and "team_id" in document._fields:
            team = document.team_id
        employee = self.env["hr.employee"]
        if config.module_pos_hr and document.employee_id:
            # The terminal names its logged cashier: taken only if the shop lets that employee log in.
            employee = document.employee_id.filtered_domain(config._employee_domain(document.user_id.id))
        seller = document[SELLER_FIELDS[document._name]] if document._name in SELLER_FIELDS else None
        user = (seller or self.env.user).sudo()
        if not employee:
            employee = (
                self.env["hr.employee"]
                .sudo()
                .search([("user_id", "=", user.id), ("company_id", "=", company.id)], limit=1)
            )
        if not team:
            team = user.sale_team_id
        return {"pos_config_id": config.id, "crm_team_id": team.id, "employee_id": employee.id}

    @api.model
    def _served_document(self, document):
        if isinstance(document, models.BaseModel):
            return document[:1]
        model, _sep, res_id = (document or "").partition(",")
        if model in self.env and res_id.isdigit():
            return self.env[model].browse(int(res_id)).exists()
        return self.env["pos.order"]

    @api.model
    def _served_backfill(self, sources):
        """Fill the three fields of existing rows of this model, set-based, as :meth:`_served_values` would.

        ``sources`` is an ``SQL`` query of the rows to fill: columns ``id``, ``pos_order_id``,
        ``sale_order_id``, ``move_id`` (their source documents, or NULL), ``user_id`` (the user who booked)
        and ``company_id``. For upgrades (``migrations/``); rows already labelled keep their labels.
        """
        self.env.flush_all()
        cr = self.env.cr
        table = SQL.identifier(self._table)
        cr.execute(SQL("CREATE TEMPORARY TABLE served_source ON COMMIT DROP AS %s", sources))
        # The POS order: its shop, the shop's team, the cashier pos_hr logged.
        cr.execute(
            SQL(
                """UPDATE %(table)s row
                      SET pos_config_id = COALESCE(row.pos_config_id, pos_order.config_id),
                          crm_team_id = COALESCE(row.crm_team_id, config.crm_team_id),
                          employee_id = COALESCE(row.employee_id, pos_order.employee_id)
                     FROM served_source src
                     JOIN pos_order ON pos_order.id = src.pos_order_id
                     JOIN pos_config config ON config.id = pos_order.config_id
                    WHERE row.id = src.id""",
                table=table,
            )
        )
        # The document's sales team and salesperson (the Sales app adds the team to orders and invoices).
        sellers = [SQL("pos_order.user_id")]
        joins = [SQL("LEFT JOIN pos_order ON pos_order.id = src.pos_order_id")]
        for doc_table, doc_column, seller in (
            ("sale_order", "sale_order_id", "user_id"),
            ("account_move", "move_id", "invoice_user_id"),
        ):
            if not table_exists(cr, doc_table):
                continue
            alias = SQL.identifier(f"doc_{doc_table}")
            joins.append(
                SQL(
                    "LEFT JOIN %s %s ON %s.id = src.%s",
                    SQL.identifier(doc_table),
                    alias,
                    alias,
                    SQL.identifier(doc_column),
                )
            )
            sellers.append(SQL("%s.%s", alias, SQL.identifier(seller)))
            if column_exists(cr, doc_table, "team_id"):
                cr.execute(
                    SQL(
                        """UPDATE %(table)s row SET crm_team_id = doc.team_id
                             FROM served_source src JOIN %(doc_table)s doc ON doc.id = src.%(doc_column)s
                            WHERE row.id = src.id AND row.crm_team_id IS NULL AND doc.team_id IS NOT NULL""",
                        table=table,
                        doc_table=SQL.identifier(doc_table),
                        doc_column=SQL.identifier(doc_column),
                    )
                )
        # Else the salesperson or the user who booked: their employee in the row's company, their team.
        cr.execute(
            SQL(
                """UPDATE %(table)s row
                      SET employee_id = COALESCE(row.employee_id, (
                              SELECT employee.id FROM hr_employee employee
                               WHERE employee.user_id = served.user_id AND employee.company_id = served.company_id
                               ORDER BY employee.active DESC, employee.id LIMIT 1)),
                          crm_team_id = COALESCE(row.crm_team_id, (
                              SELECT member.crm_team_id FROM crm_team_member member
                               WHERE member.user_id = served.user_id AND member.active
                               ORDER BY member.create_date, member.id LIMIT 1))
                     FROM (SELECT src.id, src.company_id, COALESCE(%(sellers)s, src.user_id) AS user_id
                             FROM served_source src %(joins)s) served
                    WHERE row.id = served.id AND (row.employee_id IS NULL OR row.crm_team_id IS NULL)""",
                table=table,
                sellers=SQL(", ").join(sellers),
                joins=SQL(" ").join(joins),
            )
        )
        cr.execute(SQL("DROP TABLE served_source"))
        self.invalidate_model(["pos_config_id", "crm_team_id", "employee_id"])
