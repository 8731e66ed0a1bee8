from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestMemberMessages(LoyaltyTiersCommon, SMSCase):
    """Members hear of their points by the channels the company chose and they agreed to."""

    def test_points_expiring_are_texted_to_members_who_agreed(self):
        self.env["stored.value.message.setting"].action_open_settings()
        self.env["stored.value.message.setting"].search(
            [("company_id", "=", self.company.id), ("message_type", "=", "points_expiring")]
        ).write({"by_sms": True, "by_email": False, "respect_quiet_hours": False})
        self.holder.write({"phone": "+86 138 0013 8000"})
        self.other_holder.write({"phone": "+86 139 0013 9000"})
        self.holder._stored_value_set_consent({"sms": True}, "pos")
        self.other_holder._stored_value_set_consent({"email": True}, "pos")
        with freeze_time("2024-03-10"):
            card = self._member()
            card.sudo().points += 60
            other = self._member(self.other_holder)
            other.sudo().points += 60
        with freeze_time("2025-03-10"), self.mockSMSGateway(), self.cron_commits_suspended():
            self.env["loyalty.point.batch"]._cron_send_expiry_reminders()
            self.env["loyalty.point.batch"]._cron_send_expiry_reminders()
            self.assertSMSOutgoing(self.holder, "+8613800138000", content="60")
        self.assertEqual(len(self.env["sms.sms"].search([("partner_id", "=", self.holder.id)])), 1, "once")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.other_holder.id)]))
