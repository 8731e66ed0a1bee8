from odoo import fields, models
from odoo.fields import Domain


class StoredValueFollowupPlan(models.Model):
    _inherit = "stored.value.followup.plan"

    loyalty_tier_ids = fields.Many2many(
        "loyalty.tier", string="Member Tiers", help="Only customers of these tiers are followed; empty: any tier."
    )
    lifecycle_stage_ids = fields.Many2many(
        "loyalty.lifecycle.stage",
        string="Life Cycle Stages",
        help="Only customers at these stages in the plan's company are followed; empty: any stage.",
    )

    def _partner_domain(self):
        domain = super()._partner_domain()
        if self.loyalty_tier_ids:
            domain &= Domain("loyalty_tier_id", "in", self.loyalty_tier_ids.ids)
        if self.lifecycle_stage_ids:
            partners = self.env["res.partner"]._lifecycle_stage_partners_sql(self.company_id, self.lifecycle_stage_ids)
            domain &= Domain("id", "in", partners)
        return domain
