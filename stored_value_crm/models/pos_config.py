from odoo import fields, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    # The same field as pos_sale's (which needs the Sales app): the store whose team a shop's card
    # movements and feedback are reported under.
    crm_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        ondelete="set null",
        index="btree_not_null",
        help="This Point of sale's sales will be related to this Sales Team.",
    )
