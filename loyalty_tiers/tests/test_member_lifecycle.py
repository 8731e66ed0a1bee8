from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LoyaltyTiersCommon

START = date(2025, 1, 6)


def day(offset):
    return START + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestMemberLifecycle(LoyaltyTiersCommon):
    """Each member's life cycle stage, night after night, with the history of every change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.member = Partner.create({"name": "Zhang Wei"})
        cls._member(cls.member)
        cls.stranger = Partner.create({"name": "Never Bought, No Card"})
        cls.History = cls.env["loyalty.lifecycle.history"]
        cls.stage = {stage.code: stage for stage in cls.env["loyalty.lifecycle.stage"].search([])}

    def buy(self, offset, amount=100, partner=None):
        with freeze_time(day(offset)):
            self.make_invoice(amount, partner=partner or self.member)

    def night(self, offset):
        """The nightly run of ``day(offset)``, as the scheduler starts it."""
        with freeze_time(day(offset)), self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()

    def history(self, partner=None):
        history = self.History.search([("partner_id", "=", (partner or self.member).id)], order="date, id")
        return [(row.date, row.from_stage_id.code, row.to_stage_id.code) for row in history]

    def test_a_member_goes_through_every_stage_and_each_change_is_recorded(self):
        self.night(0)
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["prospect"], "a card and no purchase")
        self.assertFalse(self.stranger.lifecycle_stage_id, "no card, no purchase: no stage")
        self.buy(1)
        self.night(1)
        self.assertEqual(self.member.lifecycle_stage_id.code, "new")
        self.buy(21)
        # First purchase 34 days ago; last 14 days ago, within twice the usual 20 days.
        self.night(35)
        self.assertEqual(self.member.lifecycle_stage_id.code, "active")
        self.assertEqual(self.member.lifecycle_stage_date, day(35))
        self.night(50)
        self.assertEqual(self.member.lifecycle_stage_date, day(35), "the stage did not change: still since then")
        # 49 days without a purchase, more than twice the usual 20 days.
        self.night(70)
        self.assertEqual(self.member.lifecycle_stage_id.code, "at_risk")
        self.night(21 + 180)
        self.assertEqual(self.member.lifecycle_stage_id.code, "dormant")
        self.night(21 + 365)
        self.assertEqual(self.member.lifecycle_stage_id.code, "lost")
        self.buy(400)
        self.night(400)
        self.assertEqual(self.member.lifecycle_stage_id.code, "won_back")
        self.night(430)
        self.assertEqual(self.member.lifecycle_stage_id.code, "won_back", "won back for 60 days")
        self.night(461)
        self.assertEqual(self.member.lifecycle_stage_id.code, "active")
        self.assertEqual(
            self.history(),
            [
                (day(0), False, "prospect"),
                (day(1), "prospect", "new"),
                (day(35), "new", "active"),
                (day(70), "active", "at_risk"),
                (day(201), "at_risk", "dormant"),
                (day(386), "dormant", "lost"),
                (day(400), "lost", "won_back"),
                (day(461), "won_back", "active"),
            ],
        )
        self.assertEqual(self.member.with_user(self.tier_user).lifecycle_history_count, 8)
        # Transitions counted as the pivot view counts them: from stage × to stage.
        counts = {
            (from_stage.code, to_stage.code): count
            for from_stage, to_stage, count in self.History._read_group(
                [("partner_id", "=", self.member.id)], ["from_stage_id", "to_stage_id"], ["__count"]
            )
        }
        self.assertEqual(counts[("lost", "won_back")], 1)
        self.assertEqual(sum(counts.values()), 8)
        by_month = dict(self.History._read_group([("partner_id", "=", self.member.id)], ["date:month"], ["__count"]))
        self.assertEqual(sum(by_month.values()), 8)
        self.assertEqual(len(by_month), 7, "two changes in January 2025, one in each of six other months")
        # The partner list is searched and grouped by stage.
        Partner = self.env["res.partner"].with_user(self.tier_user)
        self.assertIn(self.member, Partner.search([("lifecycle_stage_id.code", "=", "active")]))
        groups = dict(Partner._read_group([("id", "=", self.member.id)], ["lifecycle_stage_id"], ["__count"]))
        self.assertEqual(groups, {self.stage["active"]: 1})

    def test_growing_members_spend_more_than_in_the_period_before(self):
        grower = self.env["res.partner"].create({"name": "Liu Yang"})
        steady = self.env["res.partner"].create({"name": "Chen Jie"})
        for partner, recent in ((grower, 200), (steady, 110)):
            self.buy(1, 100, partner)
            self.buy(31, 100, partner)
            self.buy(100, recent, partner)
            self.buy(120, recent, partner)
        # Last 90 days: 400 against 200 before (+100%); the steady one 220 against 200 (+10%, under 20%).
        self.night(130)
        self.assertEqual(grower.lifecycle_stage_id.code, "growing")
        self.assertEqual(steady.lifecycle_stage_id.code, "active")

    def test_a_second_run_the_same_day_changes_nothing(self):
        self.buy(1)
        self.buy(21)
        self.night(35)
        history = self.History.search([])
        Partner = self.env["res.partner"]
        again = Partner._batches_by_id("lifecycle", Partner._compute_lifecycle_batch, self.company, day(35), 100)
        self.assertEqual(list(again), [], "everybody valued today")
        self.night(35)
        self.assertEqual(self.History.search([]), history, "no duplicate history")
        self.assertEqual(self.history(), [(day(35), False, "active")])

    def test_batches_resume_and_each_member_is_staged_once(self):
        partners = self.env["res.partner"].create([{"name": f"Customer {n}"} for n in range(5)])
        for partner in partners:
            self.buy(1, partner=partner)
        Partner = self.env["res.partner"]
        done = list(Partner._batches_by_id("lifecycle", Partner._compute_lifecycle_batch, self.company, day(2), 2))
        self.assertGreaterEqual(len(done), 3, "five customers, two a batch")
        self.assertEqual(set(partners.mapped("member_value_date")), {day(2)})
        self.assertEqual(set(partners.mapped("lifecycle_stage_id.code")), {"new"})
        self.assertEqual(self.History.search_count([("partner_id", "in", partners.ids)]), 5)

    def test_each_company_has_its_own_thresholds_and_stages(self):
        other = self.env["res.company"].create({"name": "Other Shop"})
        self.company.loyalty_lifecycle_new_days = 60
        self.buy(1)
        self.buy(21)
        self.night(35)
        self.assertEqual(self.member.lifecycle_stage_id.code, "new", "new for 60 days in this company")
        self.assertEqual(other.loyalty_lifecycle_new_days, 30, "the other company keeps its own")
        self.assertFalse(self.member.with_company(other).sudo().lifecycle_stage_id, "never bought there")
        self.company.loyalty_lifecycle_dormant_days = 30
        self.night(60)
        self.assertEqual(self.member.lifecycle_stage_id.code, "dormant", "39 days without a purchase")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.company.loyalty_lifecycle_lost_days = 20

    def test_follow_up_plans_target_stages(self):
        at_risk = self.env["res.partner"].create({"name": "Sun Li"})
        self.buy(1)
        self.buy(1, partner=at_risk)
        self.buy(21)
        self.night(21)
        self.night(45)
        self.assertEqual(at_risk.lifecycle_stage_id.code, "at_risk", "one purchase 44 days ago")
        self.assertEqual(self.member.lifecycle_stage_id.code, "active")
        plan = self.env["stored.value.followup.plan"].create(
            {
                "name": "Call the members at risk",
                "company_id": self.company.id,
                "card_holders_only": False,
                "lifecycle_stage_ids": [self.stage["at_risk"].id, self.stage["dormant"].id],
            }
        )
        self.assertEqual(self.env["res.partner"].search(plan._partner_domain()), at_risk)

    def test_nobody_sets_a_stage_or_a_figure_by_hand(self):
        self.night(0)
        for user in (self.tier_user, self.tier_manager, self.sv_manager):
            partner = self.member.with_user(user)
            if user != self.tier_user:  # Stored Value staff edit contacts, not their figures
                partner.write({"comment": "Called about the new shop"})
            for values in (
                {"lifecycle_stage_id": self.stage["won_back"].id},
                {"lifecycle_stage_date": day(-100)},
                {"member_value_date": day(10)},
            ):
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    partner.write(values)
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                partner.create({"name": "Made Up", "lifecycle_stage_id": self.stage["active"].id})
        self.assertEqual(self.member.lifecycle_stage_id.code, "prospect")
        twin = self.member.with_user(self.sv_manager).copy()
        self.assertFalse(twin.lifecycle_stage_id, "a copied contact has no purchases of its own")
        row = self.History.search([("partner_id", "=", self.member.id)])
        for user in (self.tier_user, self.tier_manager):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                row.with_user(user).write({"to_stage_id": self.stage["won_back"].id})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.History.with_user(user).create(
                    {
                        "partner_id": self.member.id,
                        "company_id": self.company.id,
                        "date": day(0),
                        "to_stage_id": self.stage["lost"].id,
                    }
                )
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                row.with_user(user).unlink()
        with self.assertRaises(AccessError):
            row.sudo().write({"to_stage_id": self.stage["won_back"].id})
        with self.assertRaises(UserError):
            row.sudo().unlink()
        self.assertEqual(self.history(), [(day(0), False, "prospect")])

    def test_a_merged_contact_keeps_the_stage_and_history(self):
        self.night(0)
        partners = self.member | self.stranger
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.tier_manager)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({})
        )
        wizard.dst_partner_id = self.stranger
        wizard.action_merge()
        self.assertFalse(self.member.exists())
        self.assertEqual(self.stranger.lifecycle_stage_id.code, "prospect")
        self.assertEqual(self.history(self.stranger), [(day(0), False, "prospect")])
