from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class StoredValueBonusRule(models.Model):
    """充值赠送: a top-up of at least ``min_amount`` earns a fixed or percentage bonus.

    Addons above may let a rule give more than money (a gift pack, :meth:`_has_gifts`); the money bonus
    may then be zero.
    """

    _name = "stored.value.bonus.rule"
    _description = "Top-up Bonus Rule"
    _order = "sequence, min_amount desc, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_amount = fields.Monetary(string="Top-up From", required=True, help="Smallest top-up that earns this bonus.")
    bonus_type = fields.Selection(
        [("fixed", "Fixed Amount"), ("percent", "Percentage")], required=True, default="fixed"
    )
    bonus_value = fields.Float(string="Bonus", required=True, digits="Account")
    date_from = fields.Date(string="Valid From")
    date_to = fields.Date(string="Valid Until")
    validity_days = fields.Integer(
        string="Bonus Expires After (days)", help="Days after the top-up when the bonus expires; 0 keeps it forever."
    )

    @api.constrains("min_amount", "bonus_value", "bonus_type", "date_from", "date_to", "validity_days")
    def _check_values(self):
        for rule in self:
            if rule.currency_id.compare_amounts(rule.min_amount, 0) <= 0:
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: the top-up threshold must be positive.", rule=rule.name)
                )
            if rule.bonus_value < 0 or (rule.bonus_type == "percent" and rule.bonus_value > 100):
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: the bonus cannot be negative, nor above 100%%.", rule=rule.name)
                )
            if rule.bonus_value == 0 and not rule._has_gifts():
                raise ValidationError(self.env._("Rule “%(rule)s” gives nothing: set a bonus.", rule=rule.name))
            if rule.date_from and rule.date_to and rule.date_from > rule.date_to:
                raise ValidationError(self.env._("Rule “%(rule)s”: it ends before it starts.", rule=rule.name))
            if rule.validity_days < 0:
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: the bonus validity cannot be negative.", rule=rule.name)
                )

    def _has_gifts(self):
        """Whether the rule gives something besides money; addons that add gifts to a rule say so."""
        self.ensure_one()
        return False

    @api.model
    def _applicable(self, company, amount, date=None):
        """Active rules of ``company`` valid on ``date`` whose threshold ``amount`` reaches."""
        date = date or fields.Date.context_today(self)
        rules = self.search(
            Domain("company_id", "=", company.id)
            & Domain("min_amount", "<=", amount)
            & (Domain("date_from", "=", False) | Domain("date_from", "<=", date))
            & (Domain("date_to", "=", False) | Domain("date_to", ">=", date))
        )
        return rules.filtered(lambda rule: company.currency_id.compare_amounts(rule.min_amount, amount) <= 0)
