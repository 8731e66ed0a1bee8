from odoo import fields, models
from odoo.tools import SQL

from ..models.survey_user_input import NPS_CATEGORIES


class CustomerFeedbackReport(models.Model):
    """One completed feedback answer, with where and by whom the purchase it rates was made.

    The NPS of any group of rows is the average of ``nps_value`` (100 for a promoter, 0 for a passive,
    -100 for a detractor). Later addons add columns by extending :meth:`_select` and :meth:`_from`.
    The member tier is the one the customer held when they answered, as the tier history tells it.
    """

    _name = "customer.feedback.report"
    _inherit = "stored.value.report.mixin"
    _description = "Feedback Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "survey_id"

    date = fields.Datetime(string="Answered On", readonly=True)
    user_input_id = fields.Many2one("survey.user_input", string="Answer", readonly=True)
    survey_id = fields.Many2one("survey.survey", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="Point of Sale Order", readonly=True)
    pos_config_id = fields.Many2one("pos.config", string="Point of Sale", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", string="Store", readonly=True)
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    crm_team_id = fields.Many2one("crm.team", string="Store / Sales Team", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Served By", readonly=True)
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Member Tier",
        readonly=True,
        help="The tier the customer held when they answered: that of their last tier change before it, else "
        "the tier their first later change started from, else their tier now.",
    )
    nps_category = fields.Selection(NPS_CATEGORIES, string="NPS Category", readonly=True)
    nps_score = fields.Float(string="NPS Answer", readonly=True, aggregator="avg")
    nps = fields.Float(string="NPS", readonly=True, aggregator="avg", help="Promoters minus detractors, in %.")
    csat_score = fields.Float(string="Satisfaction", readonly=True, aggregator="avg")
    promoter_count = fields.Integer(string="Promoters", readonly=True)
    detractor_count = fields.Integer(string="Detractors", readonly=True)

    def _select(self):
        return SQL(
            """answer.id AS id, answer.id AS user_input_id, answer.end_datetime AS date,
               answer.survey_id, answer.partner_id,
               COALESCE(pos_order.company_id, sale_order.company_id, invoice.company_id, invitation.company_id)
                   AS company_id,
               pos_order.id AS pos_order_id,
               COALESCE(pos_order.config_id, answer.feedback_pos_config_id) AS pos_config_id,
               answer.feedback_crm_team_id AS crm_team_id, answer.feedback_employee_id AS employee_id,
               COALESCE(picking_type.warehouse_id, sale_order.warehouse_id) AS warehouse_id,
               sale_order.id AS sale_order_id, invoice.id AS move_id,
               COALESCE(pos_order.user_id, sale_order.user_id, invoice.invoice_user_id) AS user_id,
               CASE WHEN tiers.changes_before > 0 THEN tiers.tier_before WHEN tiers.changes > 0 THEN tiers.tier_after
                    ELSE partner.loyalty_tier_id END AS loyalty_tier_id,
               answer.feedback_nps_category AS nps_category,
               CASE WHEN answer.feedback_nps_category IS NOT NULL THEN answer.feedback_nps_score END AS nps_score,
               CASE answer.feedback_nps_category WHEN 'promoter' THEN 100 WHEN 'passive' THEN 0
                    WHEN 'detractor' THEN -100 END AS nps,
               NULLIF(answer.feedback_csat_score, 0) AS csat_score,
               (answer.feedback_nps_category = 'promoter')::int AS promoter_count,
               (answer.feedback_nps_category = 'detractor')::int AS detractor_count"""
        )

    def _from(self):
        return SQL(
            """survey_user_input answer
               JOIN survey_survey survey ON survey.id = answer.survey_id AND survey.is_customer_feedback
               JOIN res_partner partner ON partner.id = answer.partner_id
          LEFT JOIN customer_feedback_invitation invitation ON invitation.user_input_id = answer.id
          LEFT JOIN pos_order ON pos_order.id = answer.feedback_pos_order_id
          LEFT JOIN pos_config config ON config.id = pos_order.config_id
          LEFT JOIN stock_picking_type picking_type ON picking_type.id = config.picking_type_id
          LEFT JOIN sale_order ON sale_order.id = answer.feedback_sale_order_id
          LEFT JOIN account_move invoice ON invoice.id = answer.feedback_move_id
          LEFT JOIN LATERAL (
                    SELECT COUNT(*) AS changes,
                           COUNT(*) FILTER (WHERE history.date <= answer.end_datetime) AS changes_before,
                           (ARRAY_AGG(history.new_tier_id ORDER BY history.date DESC, history.id DESC)
                                FILTER (WHERE history.date <= answer.end_datetime))[1] AS tier_before,
                           (ARRAY_AGG(history.old_tier_id ORDER BY history.date, history.id)
                                FILTER (WHERE history.date > answer.end_datetime))[1] AS tier_after
                      FROM loyalty_tier_history history WHERE history.partner_id = answer.partner_id
                    ) tiers ON TRUE"""
        )

    def _where(self):
        return SQL("answer.state = 'done' AND NOT COALESCE(answer.test_entry, FALSE)")

    def _query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())
