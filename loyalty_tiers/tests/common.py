from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL

from odoo.addons.stored_value_crm.tests.common import StoredValueCommon, StoredValuePosCommon


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
        cls.tier_user = cls._create_sv_user(
            "tier_cashier",
            "Loyalty Cashier",
            ["loyalty_tiers.group_loyalty_tier_user", "point_of_sale.group_pos_user"],
            [],
        )
        cls.tier_manager = cls._create_sv_user(
            "tier_manager",
            "Loyalty Manager",
            ["loyalty_tiers.group_loyalty_tier_manager", "stored_value_crm.group_stored_value_manager"],
            [],
        )
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])

    @classmethod
    def _member(cls, partner=None, points=0.0):
        """A member's card holding ``points`` (an opening batch), as Odoo's own code issues it in sudo."""
        card = (
            cls.env["loyalty.card"]
            .sudo()
            .create({"program_id": cls.program.id, "partner_id": (partner or cls.holder).id, "points": points})
        )
        return card.sudo(False)

    @classmethod
    def _backdate(cls, record, moment, field_name="create_date"):
        """Set ``record``'s ``field_name`` (by default when it was made) to ``moment``, which the ORM never
        lets a test choose, in SQL."""
        record.flush_recordset()
        cls.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE id = %s",
                SQL.identifier(record._table),
                SQL.identifier(field_name),
                moment,
                record.id,
            )
        )
        record.invalidate_recordset([field_name])

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


class LoyaltyTiersPosCommon(LoyaltyTiersCommon, StoredValuePosCommon):
    """The points programme and tiers above on a POS shop whose orders come through ``sync_from_ui``.

    A haircut costs 60 and earns 60 points; the reward takes 10 off for 100 points.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reward = cls.program.reward_ids
        cls.reward_product = cls.reward.discount_line_product_id

    def member_order(self, haircuts, card=None, reward_cost=None, uuid=None, customer=None, **line_values):
        """A paid order of ``haircuts`` for the holder, taking the reward for ``reward_cost`` points."""
        lines = [{"product": self.haircut, "quantity": haircuts, **line_values}]
        if reward_cost is not None:
            lines.append(
                {
                    "product": self.reward_product,
                    "quantity": 1,
                    "price_unit": -10.0,
                    "price_subtotal": -10.0,
                    "price_subtotal_incl": -10.0,
                    "tax_ids": [],
                    "is_reward_line": True,
                    "reward_id": self.reward.id,
                    "coupon_id": card.id if card else False,
                    "points_cost": reward_cost,
                    "reward_identifier_code": f"reward-{uuid or len(lines)}",
                }
            )
        data = self.create_ui_order_data(lines, customer=customer or self.holder, uuid=uuid)
        return data

    def return_order(self, order, haircuts):
        """The POS's refund of ``haircuts`` of ``order``'s first line, paid back in cash."""
        line = order.lines.filtered(lambda line: not line.is_reward_line)[:1]
        data = self.create_ui_order_data(
            [{"product": self.haircut, "quantity": -haircuts, "refunded_orderline_id": line.id}],
            customer=order.partner_id,
        )
        data["is_refund"] = True
        return data

    def confirm_claim(self, order, card, earned, spent=0.0, user=None):
        """The terminal's second call after an order: its own idea of the points won and spent."""
        data = {
            str(card.id): {
                "points": earned - spent,
                "points_earned": earned,
                "points_spent": spent,
                "program_id": card.program_id.id,
                "coupon_id": card.id,
                "barcode": False,
            }
        }
        return order.with_user(user or self.pos_cashier).confirm_coupon_programs(data)

    def assertPointsAgree(self, cards=None):
        """Every loyalty card holds what its open batches hold (nothing when it owes points), and no
        batch holds more than it earned."""
        cards = cards or self.env["loyalty.card"].search([("program_id.program_type", "=", "loyalty")])
        for card in cards:
            batches = self.env["loyalty.point.batch"].search([("card_id", "=", card.id)])
            held = sum(batches.filtered(lambda batch: batch.state == "open").mapped("remaining"))
            self.assertAlmostEqual(held, max(card.points, 0.0), places=2, msg=f"card {card.code}: batches vs points")
            for batch in batches:
                self.assertTrue(0 <= batch.remaining <= batch.points)
