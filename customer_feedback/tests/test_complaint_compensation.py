from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestComplaintCompensation(CustomerFeedbackCommon):
    """补偿: a wallet credit through the stored-value ledger, or bonus points on a loyalty card, booked once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card = cls._create_card(state="active")
        program = cls.env["loyalty.program"].create(
            {"name": "Members' points", "program_type": "loyalty", "company_id": cls.company.id}
        )
        cls.loyalty_card = cls.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": cls.holder.id, "points": 40}
        )
        cls.case = cls.env["customer.feedback.case"].create(
            {"name": "Top-up bonus missing", "partner_id": cls.holder.id, "company_id": cls.company.id}
        )

    def test_wallet_credit_is_a_new_bonus_entry_booked_once(self):
        self.top_up(self.card, 100)
        case = self.case.with_user(self.feedback_manager)
        case.write({"compensation_type": "wallet", "compensation_card_id": self.card.id, "compensation_amount": 20})
        case.action_grant_compensation()
        entry = case.compensation_ledger_id
        self.assertEqual((entry.entry_type, entry.principal_amount, entry.bonus_amount), ("compensation", 0, 20))
        self.assertEqual(entry.reason, f"Compensation for complaint {case.display_name}")
        self.assertEqual(entry.idempotency_key, f"customer.feedback.case/{case.id}/compensation")
        self.assertEqual(entry.source_ref, self.case)
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (100, 20))
        self.assertTrue(case.compensation_date)
        case.action_grant_compensation()  # a second click books nothing more
        self.assertEqual(self.card.bonus_balance, 20)
        with self.assertRaisesRegex(AccessError, "cannot be changed any more"), self.env.cr.savepoint():
            case.compensation_amount = 50
        self.assertLedgerAgrees(self.card)

    def test_bonus_points_on_the_loyalty_card_with_a_history_line(self):
        case = self.case.with_user(self.feedback_manager)
        case.write(
            {
                "compensation_type": "points",
                "compensation_loyalty_card_id": self.loyalty_card.id,
                "compensation_points": 200,
            }
        )
        case.action_grant_compensation()
        self.assertEqual(self.loyalty_card.points, 240)
        history = case.compensation_history_id
        self.assertEqual((history.card_id, history.issued), (self.loyalty_card, 200))
        self.assertEqual(history.description, f"Compensation for complaint {case.display_name}")
        batch = self.loyalty_card.point_batch_ids.filtered(lambda batch: batch.points == 200)
        self.assertEqual(batch.source_key, f"customer.feedback.case/{case.id}/compensation/card/{self.loyalty_card.id}")
        case.action_grant_compensation()
        self.assertEqual(self.loyalty_card.points, 240)

    def test_a_coupon_is_given_once_and_its_code_told_to_the_customer(self):
        coupons = self.env["loyalty.program"].create(
            {"name": "Free Treatment", "program_type": "coupons", "company_id": self.company.id}
        )
        case = self.case.with_user(self.feedback_manager)
        case.write({"compensation_type": "coupon", "compensation_coupon_program_id": coupons.id})
        case.action_grant_compensation()
        coupon = case.compensation_coupon_id
        self.assertEqual((coupon.program_id, coupon.partner_id), (coupons, self.holder))
        self.assertEqual(coupon.incentive_description, f"Compensation for complaint {case.display_name}")
        mail = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", coupon.id)])
        self.assertIn(coupon.code, mail.body_html, "the customer, who agreed to emails, gets the code")
        case.action_grant_compensation()  # a second click gives nothing more
        self.assertEqual(self.env["loyalty.card"].search_count([("program_id", "=", coupons.id)]), 1)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            coupon.with_user(self.feedback_manager).write({"incentive_description": "Something else"})

    def test_refused_compensations_book_nothing(self):
        stranger_card = self._create_card(partner=self.other_holder, state="active")
        case = self.case.with_user(self.feedback_manager)
        case.write({"compensation_type": "wallet", "compensation_card_id": stranger_card.id, "compensation_amount": 20})
        with self.assertRefused("choose a wallet of Li Na"):
            case.action_grant_compensation()
        case.compensation_card_id = self.card
        with self.assertRefused("Only a feedback manager"):
            self.case.with_user(self.feedback_user).action_grant_compensation()
        case.compensation_amount = 0
        with self.assertRefused("must be positive"):
            case.action_grant_compensation()
        case.write({"compensation_type": "points", "compensation_loyalty_card_id": self.loyalty_card.id})
        with self.assertRefused("bonus points must be positive"):
            case.action_grant_compensation()
        self.assertFalse(self.card.ledger_ids)
        self.assertEqual(self.loyalty_card.points, 40)
        self.assertFalse(case.compensation_date)
