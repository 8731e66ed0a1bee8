"""Card numbers for pre-printed stock: random digits closed by a Luhn check digit.

Random (``secrets``), not sequential: a number printed on one card says nothing about the next one
in the box, so nobody guesses a sold card's number from an unsold one beside it.
"""

import secrets


def luhn_check_digit(payload):
    """The digit that makes ``payload`` + digit pass the Luhn check (ISO/IEC 7812)."""
    total = 0
    # From the right, the digit next to the check digit is doubled first.
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_luhn_valid(number):
    """Whether ``number`` (digits only) ends with its Luhn check digit."""
    return (
        isinstance(number, str)
        and len(number) >= 2
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def random_numbers(prefix, length, quantity, taken=frozenset()):
    """``quantity`` distinct random numbers of ``length`` digits starting with ``prefix``, Luhn-checked.

    ``taken`` holds numbers that must not be produced (already printed or issued); the caller checks
    the database again for the ones produced, since others may have been issued meanwhile.
    """
    free_digits = length - len(prefix) - 1
    if free_digits < 1:
        raise ValueError("no room for random digits")
    numbers = set()
    while len(numbers) < quantity:
        payload = prefix + "".join(str(secrets.randbelow(10)) for _digit in range(free_digits))
        number = payload + luhn_check_digit(payload)
        if number not in taken:
            numbers.add(number)
    return list(numbers)
