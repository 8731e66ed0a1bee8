import base64
import json
from datetime import date

from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberPrivacy(LoyaltyTiersCommon):
    def test_export_and_anonymisation_cover_points_tiers_and_birthday(self):
        self.holder.sudo().loyalty_birthday = date(1990, 5, 1)
        card = self._member(points=120)
        with self.cron_commits_suspended():
            self.env["res.partner"]._cron_compute_rfm()
        action = self.holder.with_user(self.sv_manager).action_stored_value_privacy_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        data = json.loads(base64.b64decode(attachment.datas))
        self.assertEqual([row["code"] for row in data["loyalty_cards"]], [card.code])
        self.assertEqual([row["points"] for row in data["loyalty_point_batches"]], [120])
        self.assertIn("loyalty_tier_history", data)
        self.assertIn("rfm_segments", data)
        self.assertEqual([row["to_stage_id"] for row in data["lifecycle_history"]], ["Prospect"])
        self.assertEqual([row["company"] for row in data["member_value"]], [self.company.name])
        self.assertEqual(data["loyalty_referrals"], [], "who the member brought, and who brought them")
        self.assertEqual(data["loyalty_birthday"], "1990-05-01")
        self.holder.with_user(self.sv_manager).action_stored_value_anonymise()
        self.assertFalse(self.holder.loyalty_birthday)
        self.assertEqual(card.points, 120, "points are a marketing currency of the card: kept, as balances are")
        self.assertEqual(self.batches(card).remaining, 120)
