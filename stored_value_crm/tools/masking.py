"""Masks for a member's phone, email and card number, as cashiers and stored-value users see them.

Pure functions: what a masked value looks like, and whether a value a client sends back still holds a
mask. Who sees masks and when a member is revealed is decided by the models (``res.partner``,
``stored.value.card``, ``stored.value.reveal``).
"""

import re

# What a masked phone or card number shows of its subscriber digits: the last ones.
SHOWN_DIGITS = 4
# Leading digits of a national number also shown, when enough digits stay hidden (138****5678).
SHOWN_HEAD_DIGITS = 3
HIDDEN_MIN_DIGITS = 4
PHONE_MASK_CHAR = "*"
EMAIL_MASK = "***"
CARD_MASK = "••••"
# A value sent back with one of these still holds a mask: saving it would overwrite the real one.
MASK_MARKS = (PHONE_MASK_CHAR * 3, CARD_MASK)

# ITU-T E.164 country calling codes of one and two digits; every other code has three. The codes are
# prefix-free, so the leading digits of an international number tell where its national part starts.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    {str(code) for code in (20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50), *range(51, 59))}
    | {str(code) for code in (*range(60, 67), 81, 82, 84, 86, *range(90, 96), 98)}
)


def country_code_length(digits):
    """How many leading ``digits`` of an international number (after its ``+``) are its country code."""
    if digits[:1] in _ONE_DIGIT_CODES:
        return 1
    if digits[:2] in _TWO_DIGIT_CODES:
        return 2
    return 3


def mask_digits(digits):
    """``digits`` with all but the last four hidden, and up to three leading ones kept when at least four
    stay hidden: ``13812345678`` → ``138****5678``, ``5551234`` → ``***1234``; four or fewer: all hidden."""
    if len(digits) <= SHOWN_DIGITS:
        return PHONE_MASK_CHAR * len(digits)
    head = max(0, min(SHOWN_HEAD_DIGITS, len(digits) - SHOWN_DIGITS - HIDDEN_MIN_DIGITS))
    hidden = len(digits) - head - SHOWN_DIGITS
    return digits[:head] + PHONE_MASK_CHAR * hidden + digits[-SHOWN_DIGITS:]


def mask_phone(phone):
    """``phone`` masked: ``13812345678`` → ``138****5678``, ``+86 138 1234 5678`` → ``+86 138****5678``.

    An international number keeps its ``+`` and country code; separators are dropped. Empty stays empty.
    """
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+") and len(digits) > SHOWN_DIGITS:
        code = digits[: country_code_length(digits)]
        return f"+{code} {mask_digits(digits[len(code) :])}"
    return mask_digits(digits)


def mask_email(email):
    """``email`` masked: ``zhang.wei@example.com`` → ``z***@example.com`` (the domain is kept).

    A one-letter name is hidden whole; text that is no address is hidden whole. Empty stays empty.
    """
    if not email:
        return email
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return EMAIL_MASK
    shown = local[0] if len(local) > 1 else ""
    return f"{shown}{EMAIL_MASK}@{domain}"


def mask_emails(emails):
    """A comma-separated list of addresses, each masked."""
    if not emails:
        return emails
    return ", ".join(mask_email(email) for email in emails.split(",") if email.strip())


def mask_formatted_email(formatted):
    """``"Zhang Wei" <zhang.wei@example.com>`` with its address masked."""
    if not formatted:
        return formatted
    if "<" not in formatted:
        return mask_email(formatted)
    return re.sub(r"<([^<>]*)>", lambda match: f"<{mask_email(match[1])}>", formatted)


def mask_card_number(number):
    """``number`` as receipts, statements, the portal, emails and masked users show it: ``•••• 4242``."""
    number = number or ""
    if len(number) <= SHOWN_DIGITS:
        return number
    return f"{CARD_MASK} {number[-SHOWN_DIGITS:]}"


def holds_mask(value):
    """Whether ``value`` (sent by a client) still holds a mask this module produced."""
    return isinstance(value, str) and any(mark in value for mark in MASK_MARKS)


def phone_digits(phone):
    """The digits of ``phone``, to compare two ways of writing one number."""
    return re.sub(r"\D", "", phone or "")


def is_same_phone(term, phone):
    """Whether the searched ``term`` is the whole number ``phone``, not a part of it.

    Separators do not count, and an international number also matches its national part, with or
    without a leading trunk ``0`` (``13812345678`` is ``+86 138 1234 5678``).
    """
    digits = phone_digits(term)
    number = phone_digits(phone)
    if not digits or not number:
        return False
    if digits == number:
        return True
    if phone.strip().startswith("+"):
        national = number[country_code_length(number) :]
        return digits in (national, f"0{national}")
    return False


def is_same_email(term, email):
    """Whether the searched ``term`` is the whole address ``email``, ignoring case."""
    return bool(term and email) and term.strip().casefold() == email.strip().casefold()
