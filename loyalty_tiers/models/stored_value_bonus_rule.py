from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_is_zero

from .loyalty_card import POINT_DIGITS


class StoredValueBonusRule(models.Model):
    """充值礼包: a top-up rule may give loyalty points and coupons besides (or instead of) money."""

    _inherit = "stored.value.bonus.rule"

    gift_points = fields.Float(
        string="Points Given",
        digits=(16, POINT_DIGITS),
        help="Loyalty points the member gets for the top-up, as they are (no tier multiplier); 0: none.",
    )
    gift_points_program_id = fields.Many2one(
        "loyalty.program",
        string="Points Programme",
        domain="[('program_type', '=', 'loyalty'), ('company_id', 'in', (False, company_id))]",
        help="The loyalty programme whose card receives the points.",
    )
    gift_line_ids = fields.One2many("stored.value.bonus.rule.gift", "rule_id", string="Coupons Given")

    def _has_gifts(self):
        self.ensure_one()
        return bool(self.gift_line_ids) or float_compare(self.gift_points, 0.0, precision_digits=POINT_DIGITS) > 0

    @api.constrains("gift_points", "gift_points_program_id", "gift_line_ids", "bonus_value")
    def _check_gift_pack(self):
        for rule in self:
            if float_compare(rule.gift_points, 0.0, precision_digits=POINT_DIGITS) < 0 or rule.gift_points > 1e9:
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: the points given must be a positive number.", rule=rule.name)
                )
            program = rule.gift_points_program_id
            if not float_is_zero(rule.gift_points, precision_digits=POINT_DIGITS) and not program:
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: choose the programme that receives the points.", rule=rule.name)
                )
            if program and (
                program.program_type != "loyalty" or (program.company_id and program.company_id != rule.company_id)
            ):
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: points go to a loyalty programme of the rule's company, "
                        "not to “%(program)s”.",
                        rule=rule.name,
                        program=program.name,
                    )
                )
        # A rule emptied of its gifts must still give money.
        self._check_values()

    def _gift_descriptions(self):
        """What the rules give besides money, one line each, as the previews show it."""
        lines = []
        for rule in self:
            if float_compare(rule.gift_points, 0.0, precision_digits=POINT_DIGITS) > 0:
                lines.append(
                    self.env._(
                        "%(points)s points (%(program)s)",
                        points=f"{rule.gift_points:g}",
                        # sudo: a cashier previewing a top-up may not read the programmes.
                        program=rule.gift_points_program_id.sudo().name,
                    )
                )
            lines += [gift._description_line() for gift in rule.gift_line_ids]
        return lines
