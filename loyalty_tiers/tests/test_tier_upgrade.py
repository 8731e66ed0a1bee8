import itertools
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from ..tools import points_math
from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestTierUpgrade(LoyaltyTiersCommon):
    def test_member_moves_up_as_soon_as_purchases_reach_a_threshold(self):
        card = self._member()
        card._update_tiers()
        self.assertEqual(card.tier_id, self.regular, "everybody enters the tier without thresholds")
        self.spend(1200)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.silver)
        self.assertEqual(self.holder.loyalty_tier_id, self.silver)
        self.assertEqual(self.holder.loyalty_next_tier_id, self.gold)
        self.assertEqual(self.holder.loyalty_tier_progress, 24.0, "1,200 of the 5,000 Gold asks")
        self.spend(4000)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.gold)
        history = card.tier_history_ids.sorted("id")
        self.assertEqual(history.mapped("change"), ["upgrade", "upgrade", "upgrade"])
        self.assertEqual(history.new_tier_id, self.regular | self.silver | self.gold)
        self.assertIn("Gold", history[-1].reason)

    def test_spend_in_another_currency_counts_in_the_company_currency(self):
        card = self._member()
        order = self.paid_pos_order_in_other_currency(2400)
        self.assertEqual((order.currency_id.name, order.currency_rate), ("EUR", 2.0))
        self.assertEqual(card._tier_measures(12, self.today)[card.id]["spend"], 1200.0)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.silver, "2,400 EUR are 1,200 in the company currency")

    def test_a_top_up_upgrades_at_once(self):
        card = self._member()
        self.top_up(self._create_card(), 1000)
        self.assertEqual(card.tier_id, self.silver, "1,000 topped up reaches Silver without waiting for the cron")

    def test_downgrade_waits_for_the_review_date(self):
        card = self._member()
        with freeze_time("2025-01-10"):
            self.spend(1200)
            card._update_tiers()
            self.assertEqual(card.tier_id, self.silver)
            self.assertEqual(card.tier_review_date, date(2025, 4, 10))
        with freeze_time("2025-03-01"):
            self.make_invoice(1200, move_type="out_refund")
            card._update_tiers()
            self.assertEqual(card.tier_id, self.silver, "no flicker: the grace period is not over")
        with freeze_time("2025-04-11"):
            card._update_tiers()
            self.assertEqual(card.tier_id, self.regular)
        downgrade = card.tier_history_ids.filtered(lambda line: line.change == "downgrade")
        self.assertEqual((downgrade.old_tier_id, downgrade.new_tier_id), (self.silver, self.regular))
        self.assertIn("review", downgrade.reason)

    def test_a_member_still_qualifying_is_confirmed_for_another_period(self):
        card = self._member()
        with freeze_time("2025-01-10"):
            self.spend(1200)
            card._update_tiers()
        with freeze_time("2025-05-01"):
            card._update_tiers()
            self.assertEqual(card.tier_id, self.silver)
            self.assertEqual(card.tier_review_date, date(2025, 5, 1) + timedelta(days=90))

    def test_one_review_of_many_members_moves_confirms_and_keeps_each_by_the_rules(self):
        """A batch of members reviewed at once, by the loyalty manager: each member moves, is confirmed or
        waits as if reviewed alone, the history says why, and each contact shows the tier of its cards."""
        Partner = self.env["res.partner"]
        names = ("up", "down", "kept", "early", "overridden", "two cards")
        members = {name: Partner.create({"name": f"Member {name}"}) for name in names}
        cards = {name: self._member(partner) for name, partner in members.items()}
        club = self.env["loyalty.program"].create(
            {"name": "Salon Club", "program_type": "loyalty", "company_id": self.company.id}
        )
        club_tier = self.env["loyalty.tier"].create({"name": "Club", "program_id": club.id, "sequence": 50})
        club_card = (
            self.env["loyalty.card"].sudo().create({"program_id": club.id, "partner_id": members["two cards"].id})
        )
        with freeze_time("2025-01-10"):
            for name in ("down", "kept", "two cards"):
                self.spend(1200, partner=members[name])
            for name in ("up", "down", "kept", "overridden", "two cards"):
                cards[name]._update_tiers()
        with freeze_time("2025-02-01"):
            self.spend(1200, partner=members["early"])
            cards["early"]._update_tiers()
        with freeze_time("2025-03-01"):
            self.spend(6000, partner=members["up"])
            self.spend(1500, partner=members["overridden"])
            for name in ("down", "early"):
                self.make_invoice(1200, partner=members[name], move_type="out_refund")
            cards["overridden"].with_user(self.tier_manager).write(
                {
                    "tier_override_id": self.gold.id,
                    "tier_override_end": date(2025, 12, 31),
                    "tier_override_reason": "VIP",
                }
            )
        batch = self.env["loyalty.card"].union(*cards.values(), club_card)
        with freeze_time("2025-04-11"):
            history = batch.with_user(self.tier_manager)._update_tiers()
        self.assertEqual(
            {(line.card_id, line.change, line.old_tier_id, line.new_tier_id, line.reason) for line in history},
            {
                (cards["up"], "upgrade", self.regular, self.gold, "Reached the thresholds of Gold."),
                (cards["overridden"], "upgrade", self.regular, self.silver, "Reached the thresholds of Silver."),
                (
                    cards["down"],
                    "downgrade",
                    self.silver,
                    self.regular,
                    "No longer reaches the thresholds of Silver at the review of 2025-04-11.",
                ),
                (club_card, "upgrade", self.env["loyalty.tier"], club_tier, "Reached the thresholds of Club."),
            },
        )
        self.assertEqual(history.user_id, self.tier_manager)
        self.assertEqual(
            set(history.mapped("partner_id")), {members[name] for name in ("up", "overridden", "down", "two cards")}
        )
        review = date(2025, 7, 10)  # 90 days after the review
        expected = {
            "up": (self.gold, self.gold, date(2025, 4, 11), review),
            "down": (self.regular, self.regular, date(2025, 4, 11), date(2026, 4, 11)),
            "kept": (self.silver, self.silver, date(2025, 1, 10), review),  # confirmed for another period
            "early": (self.silver, self.silver, date(2025, 2, 1), date(2025, 5, 2)),  # down at its own review
            "overridden": (self.silver, self.gold, date(2025, 4, 11), review),
            "two cards": (self.silver, self.silver, date(2025, 1, 10), review),
        }
        for name, values in expected.items():
            card = cards[name]
            with self.subTest(member=name):
                self.assertEqual((card.earned_tier_id, card.tier_id, card.tier_since, card.tier_review_date), values)
        self.assertEqual(len(cards["up"].tier_history_ids), 2, "Regular on the first review, Gold now")
        # Each contact's tier is the one Odoo's compute gives from the cards: the highest of them.
        partners = Partner.union(*members.values())
        written = {partner: partner.loyalty_tier_id for partner in partners}
        self.assertEqual(written[members["overridden"]], self.gold)
        self.assertEqual(written[members["two cards"]], club_tier)
        partners.invalidate_recordset(["loyalty_tier_id"])
        self.env.add_to_compute(Partner._fields["loyalty_tier_id"], partners)
        self.assertEqual({partner: partner.loyalty_tier_id for partner in partners}, written)

    def test_the_review_reaches_a_tier_as_the_thresholds_say(self):
        """The SQL of the review meets the thresholds as ``points_math.thresholds_met`` does: at the minimum,
        by any or all thresholds, and always for a tier without thresholds."""
        values = (0.0, 99.99, 100.0, 150.5)
        measure_rows = list(itertools.product(values, repeat=len(points_math.MEASURES)))
        tier_rows = list(itertools.product((0.0, 100.0), (0.0, 100.0), (0.0, 100.0), (0.0, 100.0), (False, True)))
        self.env.cr.execute(
            SQL(
                """SELECT measure.id, tier.id
                     FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[])
                          AS measure(id, spend, points, balance, topup)
                    CROSS JOIN unnest(%s::int[], %s::numeric[], %s::float8[], %s::numeric[], %s::numeric[], %s::bool[])
                          AS tier(id, min_spend, min_points, min_balance, min_topup, require_all)
                    WHERE %s""",
                list(range(len(measure_rows))),
                *(list(column) for column in zip(*measure_rows, strict=True)),
                list(range(len(tier_rows))),
                *(list(column) for column in zip(*tier_rows, strict=True)),
                self.env["loyalty.card"]._tier_reached_sql(),
            )
        )
        reached = set(self.env.cr.fetchall())
        expected = {
            (measure_id, tier_id)
            for (measure_id, measures), (tier_id, tier) in itertools.product(
                enumerate(measure_rows), enumerate(tier_rows)
            )
            if points_math.thresholds_met(
                dict(zip(points_math.MEASURES, tier[:4], strict=True)),
                dict(zip(points_math.MEASURES, measures, strict=True)),
                tier[4],
            )
        }
        self.assertEqual(reached, expected)

    def test_manager_override_until_an_end_date(self):
        card = self._member()
        card._update_tiers()
        with self.assertRaisesRegex(UserError, "Only a loyalty manager"), self.env.cr.savepoint():
            card.with_user(self.tier_user).write(
                {"tier_override_id": self.gold.id, "tier_override_end": self.today, "tier_override_reason": "VIP"}
            )
        with self.assertRaisesRegex(ValidationError, "end date and a reason"), self.env.cr.savepoint():
            card.with_user(self.tier_manager).write({"tier_override_id": self.gold.id})
        self.assertFalse(card.tier_override_id)
        card.with_user(self.tier_manager).write(
            {
                "tier_override_id": self.gold.id,
                "tier_override_end": self.today + timedelta(days=30),
                "tier_override_reason": "Launch partner",
            }
        )
        self.assertEqual(card.tier_id, self.gold)
        self.assertEqual(card.earned_tier_id, self.regular)
        override = card.tier_history_ids.filtered(lambda line: line.change == "override")
        self.assertIn("Launch partner", override.reason)
        with freeze_time(self.today + timedelta(days=31)), self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_update_tiers()
        self.assertEqual(card.tier_id, self.regular)
        self.assertTrue(card.tier_history_ids.filtered(lambda line: line.change == "override_end"))

    def test_tier_cron_killed_midway_resumes_without_missing_or_repeating(self):
        cards = self._member() | self._member(self.other_holder)
        # Today's review already reached every card before these two (the demo's, committed shops' of other tests).
        today = fields.Date.context_today(self.env["loyalty.card"])
        self.env["loyalty.night.progress"]._record("tier_review", today, min(cards.ids) - 1)
        self.spend(1500)
        self.spend(1500, partner=self.other_holder)

        def stop(_self, processed=0, remaining=None, deactivate=False):
            return 0.0

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", stop):
            self.env["loyalty.card"]._cron_update_tiers(batch_size=1)
        self.assertEqual(sorted(cards.mapped("tier_id.name")), ["Silver"], "the run stopped after one member")
        with self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_update_tiers(batch_size=1)
            self.env["loyalty.card"]._cron_update_tiers(batch_size=1)
        self.assertEqual(cards.mapped("tier_id"), self.silver)
        for card in cards:
            self.assertEqual(len(card.tier_history_ids), 1, "each member reviewed once")
        # The next night nobody moves: the review reads every card and writes none of them.
        self.env.flush_all()
        rows = self.card_rows(cards)
        with freeze_time(today + timedelta(days=1)), self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_update_tiers()
        self.assertEqual(cards.mapped("tier_id"), self.silver)
        self.assertEqual(self.card_rows(cards), rows, "no card row written again")

    def card_rows(self, cards):
        """The physical row of each card: an UPDATE, even of a single column, writes a new one."""
        self.env.cr.execute("SELECT id, ctid FROM loyalty_card WHERE id IN %s ORDER BY id", [tuple(cards.ids)])
        return self.env.cr.fetchall()

    def test_thresholds_out_of_order_overlapping_or_negative_are_refused(self):
        Tier = self.env["loyalty.tier"]
        bad_values = [
            ({"name": "Platinum", "sequence": 40, "min_spend": 3000}, "put the thresholds in order"),
            ({"name": "Basic", "sequence": 5}, "overlap"),
            ({"name": "Odd", "sequence": 50, "min_points": -5}, "cannot be negative"),
            ({"name": "Zero", "sequence": 60, "min_spend": 9000, "point_multiplier": 0}, "must be positive"),
        ]
        for values, message in bad_values:
            with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                Tier.create({"program_id": self.program.id, **values})
        self.assertEqual(self.program.tier_ids, self.regular | self.silver | self.gold)

    def test_tier_benefits_pricelist_multiplier_birthday_and_followups(self):
        pricelist = self.env["product.pricelist"].create({"name": "Silver prices", "company_id": self.company.id})
        self.silver.pricelist_id = pricelist
        self.program.write({"topup_points_per_unit": 1, "birthday_multiplier": 2})
        card = self._member()
        self.spend(1200)
        card._update_tiers()
        self.assertEqual(self.holder.with_company(self.company).property_product_pricelist, pricelist)
        with freeze_time("2025-07-01"):
            self.top_up(self._create_card(), 100)
        self.assertEqual(card.points, 150, "100 topped up, 1 point per unit, Silver multiplies by 1.5")
        self.holder.loyalty_birthday = date(1990, 8, 20)
        with freeze_time("2025-08-02"):
            self.top_up(self._create_card(), 100)
        self.assertEqual(card.points, 450, "the birthday month doubles it again: 300 more")
        self.spend(4000)
        card._update_tiers()
        self.assertEqual(card.tier_id, self.gold)
        with freeze_time("2025-08-03"), self.cron_commits_suspended():
            self.env["loyalty.card"]._cron_birthday_rewards()
            self.env["loyalty.card"]._cron_birthday_rewards()
        self.assertEqual(card.points, 750, "Gold's 300 birthday points, once a year")
        plan = self.env["stored.value.followup.plan"].create(
            {"name": "Gold members", "company_id": self.company.id, "loyalty_tier_ids": [self.gold.id]}
        )
        self.assertEqual(self.env["res.partner"].search(plan._partner_domain()), self.holder)
        other = self._member(self.other_holder)
        other._update_tiers()
        self._create_card(self.other_holder).action_activate()
        self.assertNotIn(self.other_holder, self.env["res.partner"].search(plan._partner_domain()))
