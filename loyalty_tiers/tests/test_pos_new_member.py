from datetime import date
from uuid import uuid4

from odoo.tests import tagged

from .common import LoyaltyTiersPosCommon


@tagged("post_install", "-at_install")
class TestPosNewMemberBirthday(LoyaltyTiersPosCommon):
    """A member opened at the counter gives a birthday (day and month are enough) and earns points at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.cn")

    def open_member(self, **values):
        member = {"name": "Zhou Min", "phone": "13800138001", **values}
        result = (
            self.env["res.partner"].with_user(self.pos_cashier).pos_open_member(self.config.id, member, str(uuid4()))
        )
        return self.env["res.partner"].browse(result["partner_id"])

    def test_a_birthday_without_its_year_is_enough_for_the_birthday_points(self):
        self.assertEqual(self.open_member(birthday="05-12").loyalty_birthday, date(1904, 5, 12))
        other = self.open_member(phone="13800138002", birthday="1990-02-28")
        self.assertEqual(other.loyalty_birthday, date(1990, 2, 28))
        self.assertEqual(other.loyalty_birthday_changed_date, date.today(), "the once-a-year rule starts today")
        self.assertEqual(self.open_member(phone="13800138003", birthday="02-29").loyalty_birthday, date(1904, 2, 29))

    def test_an_impossible_birthday_is_refused(self):
        for typed in ("02-30", "13-01", "1899-01-01", "2999-01-01", "next week", 19900512):
            with self.subTest(typed=typed), self.assertRefused("not a birthday"):
                self.open_member(birthday=typed)

    def test_an_existing_customers_birthday_is_kept(self):
        known = self.env["res.partner"].create(
            {"name": "Zhou Min", "phone": "+8613800138001", "loyalty_birthday": date(1988, 3, 4)}
        )
        result = (
            self.env["res.partner"]
            .with_user(self.pos_cashier)
            .pos_open_member(
                self.config.id,
                {"name": "Zhou Min", "phone": "13800138001", "birthday": "06-01"},
                str(uuid4()),
                partner_id=known.id,
            )
        )
        self.assertEqual(result["partner_id"], known.id)
        self.assertEqual(known.loyalty_birthday, date(1988, 3, 4), "a birthday is moved by its own rule, not here")

    def test_a_member_opened_offline_earns_the_points_of_the_same_order(self):
        data = self.member_order(2, uuid=str(uuid4()))
        data["partner_id"] = False
        data["stored_value_new_member"] = {"name": "Offline Member", "phone": "13700001234", "birthday": "11-30"}
        order = self.sync(data, user=self.pos_cashier)
        member = order.partner_id
        self.assertEqual((member.name, member.loyalty_birthday), ("Offline Member", date(1904, 11, 30)))
        card = self.env["loyalty.card"].search([("partner_id", "=", member.id), ("program_id", "=", self.program.id)])
        self.assertEqual(card.points, 120, "the two haircuts of the order that opened the card earn their points")
        self.assertPointsAgree(card)
