from odoo import api, fields, models
from odoo.exceptions import UserError


class LoyaltyTierHistory(models.Model):
    """One change of a member's tier, with its reason; never changed once written."""

    _name = "loyalty.tier.history"
    _inherit = ["stored.value.guard"]
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", string="Member Card", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, precompute=True, index=True)
    program_id = fields.Many2one(related="card_id.program_id", store=True, precompute=True)
    company_id = fields.Many2one(related="card_id.company_id", store=True, precompute=True)
    old_tier_id = fields.Many2one("loyalty.tier", string="From", ondelete="set null")
    new_tier_id = fields.Many2one("loyalty.tier", string="To", ondelete="set null")
    change = fields.Selection(
        [
            ("upgrade", "Upgrade"),
            ("downgrade", "Downgrade"),
            ("override", "Manager Override"),
            ("override_end", "Override Ended"),
        ],
        required=True,
    )
    reason = fields.Text(required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", required=True, default=lambda self: self.env.user)

    # Every field (the related ones would write through to the card): only the tier review and a
    # manager's override write history, and nobody changes it afterwards.
    _protected_fields = frozenset(
        {
            "card_id",
            "partner_id",
            "program_id",
            "company_id",
            "old_tier_id",
            "new_tier_id",
            "change",
            "reason",
            "date",
            "user_id",
        }
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The tier history cannot be deleted."))
