import json

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestContactConsent(StoredValueCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._create_sv_user("consent_cashier", "Till Cashier", ["point_of_sale.group_pos_user"], [])
        cls.holder.write({"email": "li.na@example.com", "phone": "+86 138 0013 8000"})
        cls.shop = cls.env["pos.config"].sudo().create({"name": "Shop Huaihai Road"})

    def history(self, partner):
        return self.env["stored.value.consent"].search([("partner_id", "=", partner.id)], order="id")

    def test_consent_history_per_channel(self):
        self.holder.with_user(self.cashier)._stored_value_set_consent(
            {"email": True, "sms": False, "phone": True}, "pos", pos_config=self.shop
        )
        self.assertTrue(self.holder.stored_value_consent_email)
        self.assertFalse(self.holder.stored_value_consent_sms)
        self.assertTrue(self.holder.stored_value_consent_phone)
        self.assertTrue(self.holder.stored_value_consent_email_date)
        self.assertFalse(self.holder.stored_value_consent_sms_date, "no change, no row, no date")
        rows = self.history(self.holder)
        self.assertEqual(sorted(rows.mapped("channel")), ["email", "phone"], "a row only for what changed")
        self.assertEqual(set(rows.mapped("source")), {"pos"})
        self.assertEqual(rows.pos_config_id, self.shop)
        self.assertEqual(rows.user_id, self.cashier)
        self.assertEqual(rows.company_id, self.shop.company_id)
        # Withdrawn later on the portal: the email channel only, the others stay.
        self.holder._stored_value_set_consent({"email": False}, "portal")
        self.assertFalse(self.holder.stored_value_consent_email)
        self.assertTrue(self.holder.stored_value_consent_phone)
        self.assertEqual(len(self.history(self.holder)), 3)
        self.assertEqual(self.history(self.holder)[-1].source, "portal")
        self.holder._stored_value_set_consent({"email": False, "phone": True}, "backoffice")
        self.assertEqual(len(self.history(self.holder)), 3, "the same choice again writes nothing")

    def test_bad_consent_calls_are_refused(self):
        for consents, source, pattern in (
            ({"fax": True}, "pos", "Unknown contact channel"),
            ({"email": True}, "street", "Unknown consent source"),
            ({"email": "yes"}, "pos", "must be yes or no"),
            ({"email": 1}, "pos", "must be yes or no"),
        ):
            with self.subTest(consents=consents, source=source), self.assertRefused(pattern):
                self.holder._stored_value_set_consent(consents, source)
        with self.assertRefused("one point of sale"):
            self.holder._stored_value_set_consent({"email": True}, "pos", pos_config=self.holder)
        self.assertFalse(self.history(self.holder))

    def test_consent_changes_only_through_the_interface(self):
        self.holder._stored_value_set_consent({"email": True}, "backoffice")
        row = self.history(self.holder)
        for user in (self.cashier, self.sv_user, self.sv_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.holder.with_user(user).write({"stored_value_consent_sms": True})
                with self.assertRaises(AccessError):
                    self.holder.with_user(user).write({"stored_value_consent_email_date": "2020-01-01 00:00:00"})
                with self.assertRaises(AccessError):
                    self.env["res.partner"].with_user(user).create({"name": "Fake", "stored_value_consent_email": True})
                with self.assertRaises(AccessError):
                    self.env["stored.value.consent"].with_user(user).create(
                        {"partner_id": self.holder.id, "channel": "sms", "granted": True, "source": "pos"}
                    )
                with self.assertRaises(UserError):  # AccessError is one too
                    row.with_user(user).write({"granted": False})
                with self.assertRaises(UserError):  # AccessError is one too
                    row.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.holder.with_user(self.sv_manager).write(
                {"stored_value_consent_ids": [(0, 0, {"channel": "sms", "granted": True, "source": "pos"})]}
            )
        with self.assertRaises(UserError):
            row.write({"granted": False})  # not even the superuser
        self.assertTrue(self.holder.stored_value_consent_email)
        self.assertFalse(self.holder.stored_value_consent_sms)

    def test_back_office_records_consent_and_managers_read_the_history(self):
        wizard = (
            self.env["stored.value.contact.consent.wizard"]
            .with_user(self.sv_user)
            .with_context(active_id=self.holder.id)
            .create({"consent_email": True, "consent_phone": True, "note": "Signed form"})
        )
        wizard.action_record()
        self.assertTrue(self.holder.stored_value_consent_email)
        self.assertTrue(self.holder.stored_value_consent_phone)
        self.assertFalse(self.holder.stored_value_consent_sms)
        history = self.holder.with_user(self.sv_manager).stored_value_consent_ids
        self.assertEqual(set(history.mapped("source")), {"backoffice"})
        self.assertEqual(set(history.mapped("note")), {"Signed form"})
        with self.assertRaises(AccessError):
            self.env["stored.value.consent"].with_user(self.sv_user).search([]).mapped("channel")
        self.assertTrue(self.holder.with_user(self.sv_user).stored_value_consent_email, "users see the consent")

    def test_hostile_rpc_calls_are_refused(self):
        self.cashier.password = "consent_cashier_pw"
        self.sv_user.password = "consent_user_pw"
        for user, password in ((self.cashier, "consent_cashier_pw"), (self.sv_user, "consent_user_pw")):
            for method, args in (
                ("write", [[self.holder.id], {"stored_value_consent_email": True}]),
                ("_stored_value_set_consent", [[self.holder.id], {"email": True}, "pos"]),
                ("action_stored_value_anonymise", [[self.holder.id]]),
                ("action_stored_value_privacy_export", [[self.holder.id]]),
            ):
                with (
                    self.subTest(user=user.login, method=method),
                    mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http"),
                    self.assertRaises(Exception) as caught,
                ):
                    self.xmlrpc_object.execute(self.env.cr.dbname, user.id, password, "res.partner", method, *args)
                self.assertRegex(
                    str(caught.exception), "(?i)never directly|private methods|Only a stored-value manager"
                )
        self.assertFalse(self.history(self.holder))
        self.assertEqual(self.holder.name, "Li Na")

    def test_portal_customer_changes_their_consent(self):
        portal_user = self._create_portal_user("consent_portal", "consent_portal", partner_id=self.holder.id)
        self.assertTrue(portal_user)
        self.authenticate("consent_portal", "consent_portal")
        self.assertIn('name="stored_value_consent_email"', self.url_open("/my/account").text)
        data = {
            "partner_id": self.holder.id,
            "name": "Li Na",
            "email": "li.na@example.com",
            "phone": "+86 138 0013 8000",
            "street": "1 Nanjing Road",
            "city": "Shanghai",
            "zip": "200000",
            "country_id": self.env.ref("base.cn").id,
            "state_id": self.env.ref("base.state_cn_SH").id,
            "address_type": "billing",
            "use_delivery_as_billing": "true",
            "callback": "/my",
            "csrf_token": http.Request.csrf_token(self),
            "stored_value_consent_form": "1",
            "stored_value_consent_email": "on",
            "stored_value_consent_phone": "on",
        }
        feedback = json.loads(self.url_open("/my/address/submit", data=data).text)
        self.assertEqual(feedback.get("redirectUrl"), "/my", feedback)
        self.holder.invalidate_recordset()
        self.assertTrue(self.holder.stored_value_consent_email)
        self.assertTrue(self.holder.stored_value_consent_phone)
        self.assertEqual(set(self.history(self.holder).mapped("source")), {"portal"})
        self.assertEqual(self.history(self.holder).user_id, portal_user)
        del data["stored_value_consent_email"]  # an unticked box is not sent
        data["csrf_token"] = http.Request.csrf_token(self)
        feedback = json.loads(self.url_open("/my/address/submit", data=data).text)
        self.holder.invalidate_recordset()
        self.assertFalse(self.holder.stored_value_consent_email)
        self.assertTrue(self.holder.stored_value_consent_phone)

    def test_merged_contacts_keep_the_latest_consent(self):
        duplicate = self.env["res.partner"].create({"name": "Li Na (duplicate)", "email": "li.na@example.com"})
        duplicate._stored_value_set_consent({"email": True}, "signup")
        self.env["base.partner.merge.automatic.wizard"]._merge((self.holder | duplicate).ids, self.holder)
        self.assertFalse(duplicate.exists())
        self.assertTrue(self.holder.stored_value_consent_email)
        self.assertEqual(self.history(self.holder).source, "signup")
