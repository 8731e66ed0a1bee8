from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletPortal(StoredValueCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "li.na.portal", "li.na.portal", name="Li Na", partner_id=cls.holder.id
        )
        cls.own_card = cls._create_card()
        cls.own_card._top_up(100, cls.cash_journal, "portal/own")
        cls.stranger_card = cls._create_card(cls.other_holder)
        cls.stranger_card._top_up(500, cls.cash_journal, "portal/stranger")

    def test_portal_holder_reads_only_their_own_cards_and_ledger(self):
        Card = self.env["stored.value.card"].with_user(self.portal_user)
        self.assertEqual(Card.search([]), self.own_card)
        self.assertEqual(
            self.env["stored.value.ledger"].with_user(self.portal_user).search([]), self.own_card.ledger_ids
        )
        with self.assertRaises(AccessError):
            self.stranger_card.with_user(self.portal_user).read(["balance"])
        with self.assertRaises(AccessError):
            self.own_card.with_user(self.portal_user).write({"note": "mine"})

    def test_portal_pages_and_statement_download(self):
        self.authenticate("li.na.portal", "li.na.portal")
        listing = self.url_open("/my/stored-value")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(f"/my/stored-value/{self.own_card.id}", listing.text)
        self.assertNotIn(f"/my/stored-value/{self.stranger_card.id}", listing.text)
        self.assertIn(self.own_card.masked_number, listing.text, "the card shows its last four digits")
        self.assertNotIn(self.own_card.name, listing.text, "never its whole number")
        detail = self.url_open(f"/my/stored-value/{self.own_card.id}")
        self.assertIn("Download Statement", detail.text)
        statement = self.url_open(
            f"/my/stored-value/{self.own_card.id}/statement?date_from=2020-01-01&date_to=2099-12-31"
        )
        self.assertEqual(statement.headers["Content-Type"], "application/pdf")
        stranger = self.url_open(f"/my/stored-value/{self.stranger_card.id}/statement")
        self.assertNotIn("application/pdf", stranger.headers.get("Content-Type", ""))
        self.assertTrue(stranger.url.endswith("/my/stored-value"), "someone else's card sends back to the list")
