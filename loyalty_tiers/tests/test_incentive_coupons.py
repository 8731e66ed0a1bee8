from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import LoyaltyTiersCommon


@tagged("post_install", "-at_install")
class TestIncentiveCoupons(LoyaltyTiersCommon):
    """The one door through which every incentive of the suite gives a member a coupon or gift card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coupons = cls.env["loyalty.program"].create(
            {
                "name": "10% Off Coupon",
                "program_type": "coupons",
                "company_id": cls.company.id,
                "reward_ids": [
                    Command.clear(),
                    Command.create({"reward_type": "discount", "discount": 10, "required_points": 1}),
                ],
            }
        )

    def test_issued_once_per_key_without_odoo_creation_mail(self):
        mails_before = self.env["mail.mail"].search_count([])
        coupon = self.coupons._issue_coupon(self.holder, "test/once", "Welcome gift")
        again = self.coupons._issue_coupon(self.holder, "test/once", "Welcome gift")
        self.assertEqual(coupon, again)
        self.assertEqual(
            (coupon.partner_id, coupon.points, coupon.incentive_description), (self.holder, 1, "Welcome gift")
        )
        self.assertTrue(coupon.code)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        with self.assertRaisesRegex(UserError, "another customer"):
            self.coupons._issue_coupon(self.other_holder, "test/once", "Welcome gift")

    def test_refuses_points_programmes_and_other_companies(self):
        with self.assertRaisesRegex(UserError, "does not issue coupons"):
            self.program._issue_coupon(self.holder, "test/points", "Gift")
        other = self.setup_other_company()["company"]
        stranger = self.env["res.partner"].create({"name": "Elsewhere", "company_id": other.id})
        with self.assertRaisesRegex(UserError, "another company"):
            self.coupons._issue_coupon(stranger, "test/company", "Gift")

    def test_the_key_and_origin_cannot_be_written_by_staff(self):
        coupon = self.coupons._issue_coupon(self.holder, "test/guard", "Gift")
        with self.assertRaises(AccessError):
            coupon.with_user(self.tier_manager).write({"incentive_description": "Something else"})
        with self.assertRaises(AccessError):
            self.env["loyalty.card"].with_user(self.tier_manager).create(
                {"program_id": self.coupons.id, "partner_id": self.holder.id, "incentive_key": "test/forged"}
            )
