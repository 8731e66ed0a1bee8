from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    stored_value_deposit_account_id = fields.Many2one(
        related="company_id.stored_value_deposit_account_id", readonly=False
    )
    stored_value_expense_account_id = fields.Many2one(
        related="company_id.stored_value_expense_account_id", readonly=False
    )
    stored_value_journal_id = fields.Many2one(related="company_id.stored_value_journal_id", readonly=False)
    stored_value_spend_order = fields.Selection(related="company_id.stored_value_spend_order", readonly=False)
    stored_value_bonus_stacking = fields.Boolean(related="company_id.stored_value_bonus_stacking", readonly=False)
    stored_value_refund_deduct_bonus = fields.Boolean(
        related="company_id.stored_value_refund_deduct_bonus", readonly=False
    )
    stored_value_dormant_days = fields.Integer(related="company_id.stored_value_dormant_days", readonly=False)
    stored_value_low_balance = fields.Monetary(related="company_id.stored_value_low_balance", readonly=False)
    stored_value_pin_max_attempts = fields.Integer(related="company_id.stored_value_pin_max_attempts", readonly=False)
    stored_value_quiet_start = fields.Float(related="company_id.stored_value_quiet_start", readonly=False)
    stored_value_quiet_end = fields.Float(related="company_id.stored_value_quiet_end", readonly=False)
