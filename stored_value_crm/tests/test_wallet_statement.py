from freezegun import freeze_time

from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletStatement(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_rule(100, 20)

    def setUp(self):
        super().setUp()
        self.card = self._create_card()
        with freeze_time("2026-04-20 10:00"):
            self.top_up(self.card, 100)  # 120 before May
        with freeze_time("2026-05-03 10:00"):
            self.pay_with_card(self.make_invoice(30), self.card)
        with freeze_time("2026-05-28 10:00"):
            self.top_up(self.card, 50)
        with freeze_time("2026-06-02 10:00"):
            self.pay_with_card(self.make_invoice(10), self.card)

    def test_statement_shows_opening_movements_and_closing_of_the_period(self):
        report = self.env["report.stored_value_crm.report_stored_value_statement"]
        values = report._get_report_values(self.card.ids, {"date_from": "2026-05-01", "date_to": "2026-05-31"})
        statement = values["statements"][self.card.id]
        self.assertEqual(statement["opening"], 120)
        self.assertEqual(statement["movements"].mapped("entry_type"), ["spend", "topup"])
        self.assertEqual(statement["closing"], 140)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "stored_value_crm.report_stored_value_statement",
                self.card.ids,
                data={"date_from": "2026-05-01", "date_to": "2026-05-31"},
            )[0]
            .decode()
        )
        self.assertIn("Opening balance", html)
        self.assertIn(f"•••• {self.card.name[-4:]}", html)
        self.assertNotIn(self.card.name, html, "a statement shows the card's last four digits only")

    def test_reversed_period_is_refused(self):
        wizard = self.env["stored.value.statement.wizard"].create(
            {"card_id": self.card.id, "date_from": "2026-06-01", "date_to": "2026-05-01"}
        )
        with self.assertRefused("ends before it starts"):
            wizard.action_print()

    def test_statement_is_emailed_to_the_holder_with_the_pdf(self):
        self.holder.email = "li.na@example.com"
        self.holder._stored_value_set_consent({"email": True}, "pos")
        wizard = (
            self.env["stored.value.statement.wizard"]
            .with_user(self.sv_user)
            .create({"card_id": self.card.id, "date_from": "2026-05-01", "date_to": "2026-05-31"})
        )
        wizard.action_send()
        message = self.card.message_ids.filtered(lambda message: message.message_type == "comment")[:1]
        self.assertIn(self.holder, message.partner_ids)
        self.assertEqual(message.attachment_ids.mimetype, "application/pdf")
        self.assertIn("Statement", message.attachment_ids.name)

    def test_card_prints_with_its_barcode_and_qr_code(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("stored_value_crm.report_stored_value_card", self.card.ids)[0]
            .decode()
        )
        self.assertIn(f"/report/barcode/Code128/{self.card.name}", html)
        self.assertIn(f"/report/barcode/QR/{self.card.name}", html)
