from odoo import api, fields, models
from odoo.exceptions import UserError

# The stages the nightly run assigns, in the order a member usually goes through them. The codes are what
# the run computes (see ``res.partner._lifecycle_stage_sql``); names, colours and descriptions are free.
LIFECYCLE_STAGES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("active", "Active"),
    ("growing", "Growing"),
    ("at_risk", "At Risk"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
    ("won_back", "Won Back"),
]


class LoyaltyLifecycleStage(models.Model):
    """Where a member stands in their life with the company: prospect, new, active, at risk, ...

    A record rather than a selection, so that follow-up plans and invitation rules can target several.
    """

    _name = "loyalty.lifecycle.stage"
    _description = "Member Life Cycle Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(LIFECYCLE_STAGES, required=True, readonly=True, help="What the nightly run computes.")
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    description = fields.Text(translate=True, help="What the stage means and when a member enters it.")

    _code_unique = models.Constraint("UNIQUE(code)", "Each life cycle stage exists once.")

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The life cycle stages are computed every night: rename them instead."))
