from odoo import api, fields, models
from odoo.exceptions import UserError


class LoyaltyLifecycleHistory(models.Model):
    """One change of a member's life cycle stage in a company; written by the nightly run only.

    The run inserts the rows in SQL in the same statement that changes the stage (see
    ``res.partner._compute_lifecycle_batch``); nobody creates, changes or deletes them through the ORM.
    """

    _name = "loyalty.lifecycle.history"
    _inherit = ["stored.value.guard"]
    _description = "Member Life Cycle Change"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Member", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, index=True)
    from_stage_id = fields.Many2one("loyalty.lifecycle.stage", string="From", ondelete="restrict")
    to_stage_id = fields.Many2one("loyalty.lifecycle.stage", string="To", required=True, ondelete="restrict")

    _protected_fields = frozenset({"partner_id", "company_id", "date", "from_stage_id", "to_stage_id"})

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The life cycle history cannot be deleted."))
