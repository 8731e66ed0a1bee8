import re

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from odoo.addons.stored_value_crm.tools import masking

# Phone numbers as people type them: digits with spaces, dashes, brackets, dots, maybe a leading +.
SEPARATED_DIGITS = st.lists(
    st.tuples(st.sampled_from("0123456789"), st.sampled_from(["", "", "", " ", "-", ".", "(", ")"])),
    min_size=1,
    max_size=20,
).map(lambda pairs: "".join(digit + separator for digit, separator in pairs))
PHONES = st.tuples(st.sampled_from(["", "", "+"]), SEPARATED_DIGITS).map("".join)


class TestMaskingTools(BaseCase):
    def test_a_chinese_mobile_shows_its_prefix_and_last_four_digits(self):
        self.assertEqual(masking.mask_phone("13812345678"), "138****5678")
        self.assertEqual(masking.mask_phone("138 1234 5678"), "138****5678")

    def test_an_international_number_keeps_its_country_code(self):
        self.assertEqual(masking.mask_phone("+86 138 1234 5678"), "+86 138****5678")
        self.assertEqual(masking.mask_phone("+1 (415) 555-2671"), "+1 41****2671")
        self.assertEqual(masking.mask_phone("+852 9123 4567"), "+852 ****4567")

    def test_short_numbers_keep_only_their_last_four_digits(self):
        self.assertEqual(masking.mask_phone("5551234"), "***1234")
        self.assertEqual(masking.mask_phone("1234"), "****")
        self.assertFalse(masking.mask_phone(False))
        self.assertEqual(masking.mask_phone(""), "")

    def test_an_email_keeps_its_first_letter_and_domain(self):
        self.assertEqual(masking.mask_email("zhang.wei@example.com"), "z***@example.com")
        self.assertEqual(masking.mask_email("a@example.com"), "***@example.com")
        self.assertEqual(masking.mask_email("not an address"), "***")
        self.assertEqual(masking.mask_emails("li@a.cn, wang@b.cn"), "l***@a.cn, w***@b.cn")
        self.assertEqual(
            masking.mask_formatted_email('"Zhang Wei" <zhang.wei@example.com>'), '"Zhang Wei" <z***@example.com>'
        )

    def test_a_card_number_shows_its_last_four_digits(self):
        self.assertEqual(masking.mask_card_number("6000123456781234"), "•••• 1234")
        self.assertEqual(masking.mask_card_number("/"), "/")

    def test_a_value_still_masked_is_recognised(self):
        for value in ("138****5678", "z***@example.com", "•••• 1234", "+86 138****5678"):
            self.assertTrue(masking.holds_mask(value), value)
        for value in ("13812345678", "zhang.wei@example.com", False, None, "a*b@example.com"):
            self.assertFalse(masking.holds_mask(value), value)

    def test_only_the_whole_number_or_address_matches_a_search(self):
        self.assertTrue(masking.is_same_phone("13812345678", "138 1234 5678"))
        self.assertTrue(masking.is_same_phone("13812345678", "+86 138 1234 5678"))
        self.assertTrue(masking.is_same_phone("07700900123", "+44 7700 900123"))
        self.assertFalse(masking.is_same_phone("1381234", "13812345678"))
        self.assertFalse(masking.is_same_phone("", "13812345678"))
        self.assertTrue(masking.is_same_email(" Zhang.Wei@Example.com", "zhang.wei@example.com"))
        self.assertFalse(masking.is_same_email("zhang", "zhang.wei@example.com"))

    @settings(max_examples=300, deadline=None)
    @given(PHONES)
    def test_a_masked_phone_never_shows_more_than_its_last_four_digits(self, phone):
        """Beyond the country code and at most three leading digits, only the last four digits show, and
        at least four digits stay hidden in a number long enough to keep a leading part."""
        masked = masking.mask_phone(phone)
        digits = re.sub(r"\D", "", phone)
        national = digits
        shown = masked
        if phone.strip().startswith("+") and len(digits) > masking.SHOWN_DIGITS:
            code = digits[: masking.country_code_length(digits)]
            self.assertTrue(masked.startswith(f"+{code} "), masked)
            national, shown = digits[len(code) :], masked[len(code) + 2 :]
        self.assertEqual(len(shown), len(national))
        self.assertNotRegex(shown, r"[^\d*]")
        visible = [index for index, char in enumerate(shown) if char != "*"]
        tail = [index for index in visible if index >= len(national) - masking.SHOWN_DIGITS]
        head = [index for index in visible if index < len(national) - masking.SHOWN_DIGITS]
        for index in visible:
            self.assertEqual(shown[index], national[index])
        self.assertLessEqual(len(tail), masking.SHOWN_DIGITS)
        self.assertEqual(head, list(range(len(head))))
        self.assertLessEqual(len(head), max(0, len(national) - 2 * masking.SHOWN_DIGITS))
        self.assertLessEqual(len(head), masking.SHOWN_HEAD_DIGITS)
        if len(national) <= masking.SHOWN_DIGITS:
            self.assertEqual(visible, [])
