from odoo import api, fields, models
from odoo.exceptions import UserError


class LoyaltyClvFit(models.Model):
    """The customer lifetime value model of a company as fitted by one nightly run.

    BG/NBD (how often and how long members keep buying) and Gamma-Gamma (how much they spend), fitted on
    the company's purchase summaries in weeks (see ``loyalty_tiers/tools/clv_math.py``). Kept as a
    record per run so that managers can see how the figures behind the predicted values move.
    """

    _name = "loyalty.clv.fit"
    _inherit = ["stored.value.guard"]
    _description = "Customer Lifetime Value Fit"
    _order = "date desc, id desc"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True)
    state = fields.Selection([("done", "Fitted"), ("failed", "Failed")], required=True)
    message = fields.Char(help="Why the fit failed.")
    customer_count = fields.Integer(string="Customers", help="Customers the model was fitted on.")
    horizon_months = fields.Integer(string="Horizon (months)")
    bg_r = fields.Float(string="BG/NBD r", digits=(16, 6))
    bg_alpha = fields.Float(string="BG/NBD alpha", digits=(16, 6))
    bg_a = fields.Float(string="BG/NBD a", digits=(16, 6))
    bg_b = fields.Float(string="BG/NBD b", digits=(16, 6))
    gg_p = fields.Float(string="Gamma-Gamma p", digits=(16, 6))
    gg_q = fields.Float(string="Gamma-Gamma q", digits=(16, 6))
    gg_gamma = fields.Float(string="Gamma-Gamma gamma", digits=(16, 6))

    _protected_fields = frozenset(
        {
            "company_id",
            "date",
            "state",
            "message",
            "customer_count",
            "horizon_months",
            "bg_r",
            "bg_alpha",
            "bg_a",
            "bg_b",
            "gg_p",
            "gg_q",
            "gg_gamma",
        }
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The fits of the lifetime value model cannot be deleted."))
