from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .loyalty_program import COUPON_PROGRAM_TYPES

# More coupons than this for one top-up is a typing mistake, not a gift pack.
MAX_COUPONS_PER_GIFT = 100


class StoredValueBonusRuleGift(models.Model):
    """One gift of a top-up rule: coupons of a coupon programme, issued when the top-up is booked.

    A gift product is a coupon of a programme whose reward is that product: the cashier hands it over
    by redeeming the coupon at the till (at no charge, through stock), now or on a later visit.
    """

    _name = "stored.value.bonus.rule.gift"
    _description = "Top-up Gift"
    _order = "rule_id, sequence, id"
    _check_company_auto = True

    rule_id = fields.Many2one("stored.value.bonus.rule", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="rule_id.company_id", store=True)
    currency_id = fields.Many2one(related="rule_id.currency_id")
    program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon Programme",
        required=True,
        check_company=True,
        domain=[("program_type", "in", COUPON_PROGRAM_TYPES)],
        help="The member gets coupons (or gift cards) of this programme; for a gift product, a programme "
        "whose reward is that product.",
    )
    quantity = fields.Integer(default=1, required=True)
    refund_value = fields.Monetary(
        string="Value Kept at Refund",
        help="When the card is refunded and the refund policy deducts the bonus spent, each of these coupons "
        "already used is deducted at this value (a free product at its price); 0: nothing is deducted.",
    )

    @api.constrains("program_id", "quantity", "refund_value")
    def _check_gift(self):
        for gift in self:
            if gift.program_id.program_type not in COUPON_PROGRAM_TYPES:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: “%(program)s” does not issue coupons or gift cards.",
                        rule=gift.rule_id.name,
                        program=gift.program_id.name,
                    )
                )
            if not 0 < gift.quantity <= MAX_COUPONS_PER_GIFT:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: give between 1 and %(max)s coupons of “%(program)s”.",
                        rule=gift.rule_id.name,
                        max=MAX_COUPONS_PER_GIFT,
                        program=gift.program_id.name,
                    )
                )
            if gift.currency_id.compare_amounts(gift.refund_value, 0) < 0:
                raise ValidationError(
                    self.env._("Rule “%(rule)s”: the value kept at refund cannot be negative.", rule=gift.rule_id.name)
                )

    def unlink(self):
        rules = self.rule_id
        result = super().unlink()
        rules.exists()._check_values()  # a rule left without gifts must still give money
        return result

    def _description_line(self):
        """``2 × Free coffee (Top-up Coupons)``: what the previews show of this gift."""
        self.ensure_one()
        program = self.program_id.sudo()  # a cashier previewing a top-up may not read the programmes
        reward = program.reward_ids[:1].description or program.name
        return self.env._(
            "%(quantity)s × %(reward)s (%(program)s)", quantity=self.quantity, reward=reward, program=program.name
        )
