from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import LoyaltyTiersCommon, LoyaltyTiersPosCommon

START = date(2025, 1, 6)


def day(offset):
    return START + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestMemberValue(LoyaltyTiersCommon):
    """What each member is worth to the company: figures of the past and the predicted lifetime value."""

    def buy(self, offset, amount, partner=None, move_type="out_invoice"):
        with freeze_time(day(offset)):
            return self.make_invoice(amount, partner=partner, move_type=move_type)

    def night(self, offset):
        with freeze_time(day(offset)), self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()

    def fit(self, offset):
        return self.env["loyalty.clv.fit"].search([("company_id", "=", self.company.id), ("date", "=", day(offset))])

    def has_predicted_value(self, partner):
        self.env.cr.execute(
            SQL("SELECT member_predicted_clv ? %s FROM res_partner WHERE id = %s", str(self.company.id), partner.id)
        )
        return bool(self.env.cr.fetchone()[0])

    def test_net_spend_top_ups_average_order_and_interval(self):
        self._create_rule(500, 50)  # 充500送50: the bonus is not money the member paid
        card = self._create_card(state="active")
        with freeze_time(day(3)):
            self.top_up(card, 500)
            self.top_up(card, 300)
        self.buy(1, 100)
        self.buy(1, 50)
        self.buy(11, 200)
        self.buy(12, 30, move_type="out_refund")
        self.night(20)
        member = self.holder.with_user(self.tier_manager)
        self.assertAlmostEqual(member.member_net_spend, 320.0, places=2, msg="100 + 50 + 200 - 30 returned")
        self.assertAlmostEqual(member.member_topup_amount, 800.0, places=2, msg="principal only")
        self.assertAlmostEqual(member.member_average_order_value, 116.67, places=2, msg="350 over 3 orders")
        self.assertAlmostEqual(member.member_purchase_interval, 10.0, places=2, msg="days 1 and 11")
        self.assertEqual(member.member_margin, 0.0, "invoices carry no margin")
        self.assertEqual(member.member_value_date, day(20))
        self.assertEqual(member.lifecycle_stage_id.code, "new")
        self.assertEqual(member.rfm_currency_id, self.currency)
        self.assertFalse(self.has_predicted_value(self.holder), "too few customers to predict anything")
        failed = self.fit(20)
        self.assertEqual((failed.state, failed.customer_count), ("failed", 1))
        self.assertIn("at least", failed.message)

    def test_predicted_lifetime_value_and_high_potential_members(self):
        Partner = self.env["res.partner"]
        regulars = Partner.create([{"name": f"Regular {n}"} for n in range(12)])
        # Regular n buys 50 + 10n every 15 + 5n days; the last four stopped after day 150.
        for n, partner in enumerate(regulars):
            last = 150 if n >= 8 else 300
            for offset in range(n, last, 15 + 5 * n):
                self.buy(offset, 50 + 10 * n, partner)
        once = Partner.create([{"name": f"Once {n}"} for n in range(3)])
        for partner in once:
            self.buy(30, 80, partner)
        self.night(300)
        fit = self.fit(300)
        self.assertEqual((fit.state, fit.customer_count, fit.horizon_months), ("done", 15, 12))
        self.assertTrue(
            all(
                value > 0
                for value in fit.read(["bg_r", "bg_alpha", "bg_a", "bg_b", "gg_p", "gg_q"])[0].values()
                if isinstance(value, float)
            )
        )
        customers = regulars | once
        values = {partner: partner.member_predicted_clv for partner in customers}
        self.assertTrue(all(value > 0 for value in values.values()), values)
        self.assertGreater(values[regulars[0]], values[regulars[11]], "buys often and still buys")
        self.assertGreater(values[regulars[0]], values[once[0]], "came once, long ago")
        # The best three of fifteen (20 %) are high potential, unless they hold the top tier already.
        best = sorted(customers, key=values.get, reverse=True)[:3]
        self.assertEqual(customers.filtered("member_high_potential"), Partner.union(*best))
        self.env["loyalty.card"].sudo().create(
            {"program_id": self.program.id, "partner_id": best[0].id, "earned_tier_id": self.gold.id}
        )
        self.env["loyalty.card"].sudo().create(
            {"program_id": self.program.id, "partner_id": best[1].id, "earned_tier_id": self.silver.id}
        )
        self.night(301)
        values = {partner: partner.member_predicted_clv for partner in customers}
        best = sorted(customers, key=values.get, reverse=True)[:3]
        self.assertIn(regulars[0], best)
        gold = customers.filtered(lambda partner: partner.loyalty_tier_id == self.gold)
        self.assertEqual(customers.filtered("member_high_potential"), Partner.union(*best) - gold)
        self.assertEqual(len(self.fit(301)), 1)
        # Run again the same day: no second fit, the same values.
        self.night(301)
        self.assertEqual(len(self.fit(301)), 1)
        self.assertEqual({partner: partner.member_predicted_clv for partner in customers}, values)

    def test_predicted_values_are_emptied_when_the_model_cannot_be_fitted(self):
        partners = self.env["res.partner"].create([{"name": f"Customer {n}"} for n in range(3)])
        for partner in partners:
            self.buy(1, 100, partner)
            self.buy(40, 100, partner)
        self.night(60)
        self.assertEqual(self.fit(60).state, "failed")
        self.assertFalse(any(self.has_predicted_value(partner) for partner in partners))
        self.assertFalse(any(partners.mapped("member_high_potential")))
        self.assertEqual(partners.mapped("member_net_spend"), [200.0] * 3, "the other figures are there")

    def test_nobody_writes_a_value_figure_or_a_fit(self):
        self.buy(1, 100)
        self.night(20)
        for user in (self.sv_manager, self.tier_manager, self.tier_user):
            for values in (
                {"member_net_spend": 1e6},
                {"member_predicted_clv": 1e6},
                {"member_high_potential": True},
                {"member_topup_amount": 0},
            ):
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    self.holder.with_user(user).write(values)
        self.assertEqual(self.holder.member_net_spend, 100.0)
        fit = self.fit(20)
        self.assertTrue(fit.with_user(self.tier_manager).state, "managers read the fits")
        with self.assertRaises(AccessError):
            fit.with_user(self.tier_user).read(["state"])
        with self.assertRaises(AccessError):
            fit.with_user(self.tier_manager).write({"state": "done"})
        with self.assertRaises(AccessError):
            fit.sudo().write({"state": "done"})


@tagged("post_install", "-at_install")
class TestMemberValuePos(LoyaltyTiersPosCommon):
    def test_margin_of_point_of_sale_orders(self):
        self.haircut.standard_price = 20.0
        order = self.sync(self.member_order(2), user=self.pos_cashier)
        self.assertTrue(all(order.lines.mapped("is_total_cost_computed")), "costs known when the order is paid")
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
        member = self.holder.with_user(self.tier_manager)
        self.assertGreater(order.margin, 0)
        self.assertAlmostEqual(member.member_margin, order.margin, places=2)
        self.assertAlmostEqual(member.member_net_spend, order.amount_total, places=2)
