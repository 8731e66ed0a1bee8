from odoo import fields
from odoo.fields import Command

from odoo.addons.stored_value_crm.tests.common import StoredValueCommon


class LoyaltyTiersCommon(StoredValueCommon):
    """A points programme with three tiers, a POS, and users of each loyalty group.

    Points are 1 per unit of money spent; Silver needs 1,000 spent (or 1,000 topped up), Gold 5,000.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("loyalty_tiers.group_loyalty_tier_manager")
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Member Points",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": cls.company.id,
                "point_validity_months": 12,
                "point_expiry_reminder_days": 30,
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0}),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "per_order",
                            "required_points": 100,
                        }
                    ),
                ],
            }
        )
        Tier = cls.env["loyalty.tier"]
        cls.regular = Tier.create({"name": "Regular", "program_id": cls.program.id, "sequence": 10})
        cls.silver = Tier.create(
            {
                "name": "Silver",
                "program_id": cls.program.id,
                "sequence": 20,
                "min_spend": 1000,
                "min_topup": 1000,
                "point_multiplier": 1.5,
                "grace_days": 90,
            }
        )
        cls.gold = Tier.create(
            {
                "name": "Gold",
                "program_id": cls.program.id,
                "sequence": 30,
                "min_spend": 5000,
                "point_multiplier": 2,
                "birthday_points": 300,
                "grace_days": 90,
            }
        )
        account_groups = [Command.link(cls.env.ref("account.group_account_invoice").id)]
        cls.tier_user = cls._create_sv_user(
            "tier_cashier",
            "Loyalty Cashier",
            ["loyalty_tiers.group_loyalty_tier_user", "point_of_sale.group_pos_user"],
            account_groups,
        )
        cls.tier_manager = cls._create_sv_user(
            "tier_manager",
            "Loyalty Manager",
            ["loyalty_tiers.group_loyalty_tier_manager", "stored_value_crm.group_stored_value_manager"],
            account_groups,
        )
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])

    @classmethod
    def _member(cls, partner=None, points=0.0):
        return cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": (partner or cls.holder).id, "points": points}
        )

    def spend(self, amount, partner=None):
        """A posted customer invoice of ``amount``: what the member spent, as the tiers count it."""
        return self.make_invoice(amount, partner=partner)

    def paid_pos_order_in_other_currency(self, amount, partner=None):
        """A paid POS order of ``amount`` in a currency worth half the company's (2 for 1)."""
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        journal = self.env["account.journal"].create(
            {"name": "Sales in EUR", "type": "sale", "code": "SEUR", "currency_id": currency.id}
        )
        config = self.env["pos.config"].sudo().create({"name": "Euro Desk", "journal_id": journal.id})
        session = self.env["pos.session"].sudo().create({"config_id": config.id})
        order = (
            self.env["pos.order"]
            .sudo()
            .create(
                {
                    "session_id": session.id,
                    "partner_id": (partner or self.holder).id,
                    "amount_tax": 0,
                    "amount_total": amount,
                    "amount_paid": amount,
                    "amount_return": 0,
                }
            )
        )
        order.state = "paid"
        return order

    def batches(self, card):
        return self.env["loyalty.point.batch"].search([("card_id", "=", card.id)], order="id")
