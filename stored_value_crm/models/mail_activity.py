from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    stored_value_followup_plan_id = fields.Many2one(
        "stored.value.followup.plan",
        string="Follow-up Plan",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The follow-up plan that scheduled this call; it keeps the plan from calling the customer again too soon.",
    )
