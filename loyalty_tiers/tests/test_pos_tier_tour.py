from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.stored_value_crm.tests.common import StoredValuePosTourCase


@tagged("post_install", "-at_install")
class TestPosTierTour(StoredValuePosTourCase):
    """A cashier sees a member's tier, points and expiring points in the POS, and the tier's prices apply."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("loyalty_tiers.group_loyalty_tier_manager")
        cls.env["loyalty.program"].search([]).active = False
        cls.env.ref("base.group_user").implied_ids += cls.env.ref("product.group_product_pricelist")
        company = cls.main_pos_config.company_id
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])
        cls.haircut = cls.env["product.product"].create(
            {"name": "Haircut", "list_price": 60.0, "available_in_pos": True, "taxes_id": False}
        )
        cls.gold_pricelist = cls._percent_pricelist("Gold Prices", 10)
        cls.own_pricelist = cls._percent_pricelist("Negotiated Prices", 5)
        cls.main_pos_config.available_pricelist_ids |= cls.own_pricelist
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Member Points",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "company_id": company.id,
                "pos_ok": True,
                "point_expiry_reminder_days": 30,
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0}),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create({"reward_type": "discount", "discount": 10, "required_points": 100000}),
                ],
            }
        )
        Tier = cls.env["loyalty.tier"]
        Tier.create({"name": "Regular", "program_id": cls.program.id, "sequence": 10})
        cls.gold = Tier.create(
            {
                "name": "Gold",
                "program_id": cls.program.id,
                "sequence": 20,
                "min_spend": 1000,
                "point_multiplier": 2,
                "pricelist_id": cls.gold_pricelist.id,
            }
        )
        Tier.create({"name": "Platinum", "program_id": cls.program.id, "sequence": 30, "min_spend": 10000})
        cls.member = cls.env["res.partner"].create({"name": "AAA Gold Member"})
        cls.card = cls._gold_card(cls.member, expiring=250.0)
        cls.own_pricelist_member = cls.env["res.partner"].create({"name": "AAA Gold Member With Own Pricelist"})
        cls.own_pricelist_member.property_product_pricelist = cls.own_pricelist
        cls.own_pricelist_card = cls._gold_card(cls.own_pricelist_member, expiring=0.0)

    @classmethod
    def _percent_pricelist(cls, name, discount):
        return cls.env["product.pricelist"].create(
            {
                "name": name,
                "item_ids": [
                    Command.create({"applied_on": "3_global", "compute_price": "percentage", "percent_price": discount})
                ],
            }
        )

    @classmethod
    def _gold_card(cls, partner, expiring):
        """A Gold member (kept at least 90 days) whose ``expiring`` points expire in 20 days."""
        # The fixture books an old batch itself, through the posting code's door.
        card = (
            cls.env["loyalty.card"]
            .sudo()
            .with_context(loyalty_points_booked=True)
            .create({"program_id": cls.program.id, "partner_id": partner.id, "points": expiring})
            .sudo(False)
        )
        card.sudo().write({"earned_tier_id": cls.gold.id, "tier_review_date": cls.today + timedelta(days=90)})
        if expiring:
            cls.env["loyalty.point.batch"].sudo()._posting().create(
                {
                    "card_id": card.id,
                    "points": expiring,
                    "remaining": expiring,
                    "earn_date": cls.today - timedelta(days=340),
                    "expiry_date": cls.today + timedelta(days=20),
                    "source_key": f"tour/card/{card.id}",
                }
            )
        return card

    def test_member_gets_tier_prices_and_sees_points(self):
        self.assertEqual(self.member.property_product_pricelist, self.gold_pricelist)
        self.start_pos_tour("LoyaltyTierMemberTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(order.pricelist_id, self.gold_pricelist)
        self.assertEqual(order.lines.price_subtotal_incl, 54.0)
        self.assertEqual(self.card.points, 358.0, "54 points doubled by the Gold tier")
        batch = self.env["loyalty.point.batch"].search(
            [("source_key", "=", f"pos.order,{order.id}/card/{self.card.id}")]
        )
        self.assertEqual(batch.points, 108.0)
        self.assertEqual(self.member.loyalty_points_expiring, 250.0)

    def test_member_pricelist_of_their_own_wins(self):
        self.assertEqual(self.own_pricelist_member.property_product_pricelist, self.own_pricelist)
        self.start_pos_tour("LoyaltyTierOwnPricelistTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.own_pricelist_member.id)])
        self.assertEqual(order.pricelist_id, self.own_pricelist)
        self.assertEqual(order.lines.price_subtotal_incl, 57.0)
