import base64
import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestCustomerPrivacy(StoredValueCommon):
    """PIPL/GDPR: a manager exports what the suite holds about a customer, and forgets them on request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._create_sv_user("privacy_cashier", "Till Cashier", ["point_of_sale.group_pos_user"], [])
        cls.holder.write(
            {
                "email": "li.na@example.com",
                "phone": "+86 138 0013 8000",
                "street": "1 Nanjing Road",
                "city": "Shanghai",
                "zip": "200000",
            }
        )
        cls.holder._stored_value_set_consent({"email": True, "phone": True}, "pos")
        cls.card = cls._create_card()

    @classmethod
    def export_of(cls, partner, user):
        action = partner.with_user(user).action_stored_value_privacy_export()
        attachment = cls.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        return attachment, json.loads(base64.b64decode(attachment.datas))

    def test_manager_exports_everything_the_suite_holds(self):
        self.top_up(self.card, 100)
        self.pay_with_card(self.make_invoice(30), self.card)
        attachment, data = self.export_of(self.holder, self.sv_manager)
        self.assertEqual(attachment.mimetype, "application/json")
        attachment.with_user(self.sv_manager).check_access("read")
        with self.assertRaises(AccessError):
            attachment.with_user(self.sv_user).check_access("read")  # not for whoever reads the customer
        self.assertEqual(data["contact"][0]["email"], "li.na@example.com")
        self.assertEqual(sorted(row["channel"] for row in data["consent_history"]), ["email", "phone"])
        self.assertEqual(data["stored_value_cards"][0]["name"], self.card.name)
        self.assertEqual(data["stored_value_cards"][0]["balance"], 70)
        self.assertEqual([row["amount"] for row in data["stored_value_ledger"]], [100, -30])
        self.assertEqual([row["message_type"] for row in data["messages"]], ["movement", "movement"])
        self.assertIn("exported by Stored Value Manager", self.holder.message_ids[:1].body)

    def test_only_managers_export_or_anonymise(self):
        for user in (self.sv_user, self.cashier, self.plain_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.holder.with_user(user).action_stored_value_privacy_export()
                with self.assertRaises(AccessError):
                    self.holder.with_user(user).action_stored_value_anonymise()
        self.assertEqual(self.holder.name, "Li Na")
        self.assertFalse(
            self.env["ir.attachment"].search([("mimetype", "=", "application/json"), ("name", "like", "Li Na")])
        )

    def test_a_card_with_a_balance_must_be_settled_first(self):
        self.top_up(self.card, 100)
        with self.assertRefused("refund or settle the balance first"):
            self.holder.with_user(self.sv_manager).action_stored_value_anonymise()
        self.assertEqual(self.holder.name, "Li Na")
        self.assertTrue(self.holder.stored_value_consent_email)

    def test_anonymise_keeps_the_ledger_and_forgets_the_person(self):
        portal_user = self._create_portal_user("privacy_portal", "privacy_portal", partner_id=self.holder.id)
        self.top_up(self.card, 100)
        self.pay_with_card(self.make_invoice(100), self.card)  # spent to zero: nothing is owed any more
        ledger_before = self.card.ledger_ids.mapped(lambda entry: (entry.name, entry.amount, entry.balance_after))
        deposits_before = self.deposits_owed()
        self.holder.with_user(self.sv_manager).action_stored_value_anonymise()
        self.holder.invalidate_recordset()
        self.assertEqual(self.holder.name, f"Anonymised customer {self.holder.id}")
        self.assertRecordValues(
            self.holder.with_context(active_test=False),
            [{"email": False, "phone": False, "street": False, "city": False, "zip": False}],
        )
        self.assertFalse(
            self.holder.stored_value_consent_email or self.holder.stored_value_consent_phone,
            "every consent withdrawn",
        )
        self.assertEqual(self.holder.stored_value_consent_ids[:1].note, "Anonymised")
        self.assertFalse(portal_user.with_context(active_test=False).active, "the portal account is archived")
        self.assertNotIn("li.na", portal_user.with_context(active_test=False).login)
        # The money's history is intact: same entries, same amounts, the books still agree.
        self.assertEqual(self.card.partner_id, self.holder)
        self.assertEqual(
            self.card.ledger_ids.mapped(lambda entry: (entry.name, entry.amount, entry.balance_after)), ledger_before
        )
        self.assertEqual(self.deposits_owed(), deposits_before)
        self.assertLedgerAgrees()
        # Logged: who and when, on the partner and in Odoo's privacy log.
        self.assertIn("anonymised by Stored Value Manager", self.holder.message_ids[:1].body)
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertEqual(log.user_id, self.sv_manager)
        self.assertIn("ledgers and balances unchanged", log.execution_details)
        self.assertNotIn("li.na@example.com", log.anonymized_email)
        self.assertNotIn(
            "li.na@example.com",
            " ".join(self.holder.message_ids.tracking_value_ids.mapped(lambda value: str(value.old_value_char))),
        )
