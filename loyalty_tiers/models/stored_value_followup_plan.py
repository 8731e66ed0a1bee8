from odoo import fields, models
from odoo.fields import Domain


class StoredValueFollowupPlan(models.Model):
    _inherit = "stored.value.followup.plan"

    loyalty_tier_ids = fields.Many2many(
        "loyalty.tier", string="Member Tiers", help="Only customers of these tiers are followed; empty: any tier."
    )

    def _partner_domain(self):
        domain = super()._partner_domain()
        if self.loyalty_tier_ids:
            domain &= Domain("loyalty_tier_id", "in", self.loyalty_tier_ids.ids)
        return domain
