from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestInvitationRules(CustomerFeedbackCommon):
    """Which purchases invite their customer, when and how, and never too often."""

    def invitations(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["customer.feedback.invitation"].search(domain)

    def test_pos_receipt_carries_the_survey_link_of_its_order(self):
        self._create_rule()
        order, synced = self.sell_at_pos(self.holder)
        invitation = self.invitations(self.holder)
        self.assertEqual(len(invitation), 1)
        self.assertEqual((invitation.state, invitation.channel, invitation.pos_order_id), ("sent", "qr", order))
        answer = invitation.user_input_id
        self.assertEqual((answer.partner_id, answer.feedback_pos_order_id), (self.holder, order))
        self.assertIn(
            f"/survey/start/{self.nps_survey.access_token}?answer_token={answer.access_token}",
            order.feedback_survey_url,
        )
        self.assertEqual(order.feedback_survey_url, invitation.survey_url)
        # The point of sale gets the link back with the synchronised order, for the receipt's QR code.
        self.assertEqual(synced["pos.order"][0]["feedback_survey_url"], order.feedback_survey_url)
        # A reprint from the ticket screen of another terminal loads the order, link included.
        reloaded = self.env["pos.order"].with_user(self.cashier).read_pos_orders([("id", "=", order.id)])
        self.assertEqual(reloaded["pos.order"][0]["feedback_survey_url"], order.feedback_survey_url)

    def test_orders_without_customer_or_below_the_minimum_invite_nobody(self):
        self._create_rule(min_amount=100)
        self.sell_at_pos(False)
        self.sell_at_pos(self.holder, amount=80)
        self.assertFalse(self.invitations())
        self.sell_at_pos(self.holder, amount=100)
        self.assertEqual(len(self.invitations(self.holder)), 1)

    def test_every_nth_matching_purchase_invites(self):
        self.company.feedback_invitation_interval_days = 0
        rule = self._create_rule(every_nth=3)
        customers = [self.env["res.partner"].create({"name": f"Customer {n}"}) for n in range(7)]
        for customer in customers:
            self.sell_at_pos(customer)
        self.assertEqual(rule.matched_count, 7)
        self.assertEqual(self.invitations().partner_id, customers[2] | customers[5])

    def test_only_the_shops_of_the_rule_invite(self):
        other_shop = self.env["pos.config"].create({"name": "Shop Huaihai Road"})
        self._create_rule(pos_config_ids=[fields.Command.set(other_shop.ids)])
        self.sell_at_pos(self.holder)
        self.assertFalse(self.invitations())

    def test_customer_conditions_choose_who_is_invited(self):
        self.company.feedback_invitation_interval_days = 0
        self._create_rule(partner_domain="[('email', '=ilike', '%@example.com')]")
        stranger = self.env["res.partner"].create({"name": "No Email"})
        self.sell_at_pos(stranger)
        self.sell_at_pos(self.holder)
        self.assertEqual(self.invitations().partner_id, self.holder)

    def test_member_tiers_choose_who_is_invited(self):
        self.company.feedback_invitation_interval_days = 0
        program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Members", "program_type": "loyalty", "company_id": self.company.id})
        )
        gold = self.env["loyalty.tier"].sudo().create({"name": "Gold", "program_id": program.id})
        self.env["loyalty.card"].sudo().create(
            {"program_id": program.id, "partner_id": self.holder.id, "earned_tier_id": gold.id}
        )
        self._create_rule(tier_ids=[Command.set(gold.ids)])
        self.sell_at_pos(self.other_holder)
        self.sell_at_pos(self.holder)
        self.assertEqual(self.invitations().partner_id, self.holder)

    def test_life_cycle_stages_choose_who_is_invited(self):
        self.company.feedback_invitation_interval_days = 0
        program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Members", "program_type": "loyalty", "company_id": self.company.id})
        )
        self.env["loyalty.card"].sudo().create({"program_id": program.id, "partner_id": self.holder.id})
        newcomer = self.env["res.partner"].create({"name": "Zhou Xun"})
        self.make_invoice(50, partner=newcomer)
        # Tonight's run: the card holder is a prospect, the customer who bought today is new.
        self.env["res.partner"]._compute_lifecycle_batch(self.company, fields.Date.context_today(self.holder), 100)
        prospect = self.env.ref("loyalty_tiers.lifecycle_stage_prospect")
        self.assertEqual(self.holder.lifecycle_stage_id, prospect)
        self.assertEqual(newcomer.lifecycle_stage_id.code, "new")
        self._create_rule(lifecycle_stage_ids=[Command.set(prospect.ids)])
        for customer in (self.other_holder, newcomer, self.holder):
            self.sell_at_pos(customer)
        self.assertEqual(self.invitations().partner_id, self.holder)

    def test_a_customer_is_invited_at_most_once_in_the_interval(self):
        self.company.feedback_invitation_interval_days = 30
        self._create_rule()
        start = fields.Datetime.now()
        with freeze_time(start):
            self.sell_at_pos(self.holder)
        with freeze_time(start + timedelta(days=29)):
            self.sell_at_pos(self.holder)
        self.assertEqual(len(self.invitations(self.holder)), 1)
        with freeze_time(start + timedelta(days=31)):
            self.sell_at_pos(self.holder)
        self.assertEqual(len(self.invitations(self.holder)), 2)

    def test_invoice_invites_by_email_after_the_delay(self):
        self._create_rule(purchase_type="invoice", channel="email", delay_hours=2, survey_id=self.csat_survey.id)
        start = fields.Datetime.now()
        with freeze_time(start):
            invoice = self.make_invoice(150)
        invitation = self.invitations(self.holder)
        self.assertEqual((invitation.state, invitation.move_id), ("scheduled", invoice))
        self.assertEqual(invitation.user_input_id.feedback_move_id, invoice)
        Mail = self.env["mail.mail"]
        with freeze_time(start + timedelta(hours=1)), self.cron_commits_suspended():
            invitation._cron_send_invitations()
        self.assertEqual(invitation.state, "scheduled")
        with freeze_time(start + timedelta(hours=3)), self.cron_commits_suspended():
            invitation._cron_send_invitations()
        self.assertEqual(invitation.state, "sent")
        mail = Mail.search([("recipient_ids", "in", self.holder.ids)], order="id desc", limit=1)
        self.assertIn(invitation.user_input_id.access_token, mail.body_html)

    def sell_by_sales_order(self, partner, amount):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [fields.Command.create({"product_id": self.service.id, "price_unit": amount})],
            }
        )
        order.action_confirm()
        return order

    def test_confirmed_sales_orders_invite_by_their_rules(self):
        self.env.user.group_ids += self.env.ref("sales_team.group_sale_salesman")
        self.service = self.env["product.product"].create(
            {"name": "Hair Treatment Course", "type": "service", "list_price": 500, "taxes_id": False}
        )
        self.company.feedback_invitation_interval_days = 30
        rule = self._create_rule(purchase_type="sale_order", channel="email", every_nth=2, min_amount=300)
        self.sell_by_sales_order(self.holder, 200)  # below the minimum: not even counted
        self.sell_by_sales_order(self.holder, 500)  # 1st matching order
        self.assertEqual(rule.matched_count, 1)
        self.assertFalse(self.invitations())
        order = self.sell_by_sales_order(self.holder, 600)  # 2nd matching order: invited
        invitation = self.invitations(self.holder)
        self.assertEqual((invitation.sale_order_id, invitation.rule_id, invitation.state), (order, rule, "scheduled"))
        self.assertEqual(invitation.user_input_id.feedback_sale_order_id, order)
        self.sell_by_sales_order(self.holder, 700)
        self.sell_by_sales_order(self.holder, 800)  # the 4th, but the customer was invited 0 days ago
        self.assertEqual(len(self.invitations(self.holder)), 1)
        answer = self.answer(self.holder, nps=3, invitation=invitation)
        self.assertEqual(answer.feedback_case_ids.sale_order_id, order)
        report = self.env["customer.feedback.report"].search([("user_input_id", "=", answer.id)])
        self.assertEqual((report.sale_order_id, report.nps), (order, -100))
        self.assertEqual(report.warehouse_id, order.warehouse_id)

    def test_customers_without_email_get_no_email_invitation(self):
        self._create_rule(purchase_type="invoice", channel="email")
        self.holder.email = False
        self.make_invoice(150)
        self.assertFalse(self.invitations())

    def test_unanswered_invitations_expire(self):
        self._create_rule(validity_days=7)
        start = fields.Datetime.now()
        with freeze_time(start):
            self.sell_at_pos(self.holder)
        invitation = self.invitations(self.holder)
        with freeze_time(start + timedelta(days=8)), self.cron_commits_suspended():
            invitation._cron_send_invitations()
        self.assertEqual(invitation.state, "expired")
        self.assertEqual(self.holder.feedback_response_rate, 0.0)

    def test_bad_rules_are_refused_and_not_saved(self):
        Rule = self.env["customer.feedback.invitation.rule"]
        cases = [
            ({"every_nth": 0}, "at least every 1st purchase"),
            ({"min_amount": -5}, "cannot be negative"),
            ({"validity_days": 0}, "at least one day"),
            ({"purchase_type": "invoice", "channel": "qr"}, "point of sale orders only"),
            ({"partner_domain": "[('no_such_field', '=', 1)]"}, "customer conditions are not valid"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self._create_rule(**values)
        self.assertFalse(Rule.search([("company_id", "=", self.company.id)]))
