"""Pure money arithmetic of wallets: splitting a spend, matching bonus rules, expiring bonus batches.

Kept free of the ORM so that the rules can be read, and tested, on their own. Amounts are
already rounded to the wallet currency; ``round_amount`` rounds to it.
"""

import math

SPEND_ORDERS = ("principal_first", "bonus_first", "proportional")
# No single movement of a card moves more: a typo or a forged amount, not a top-up.
MAX_MOVEMENT = 10_000_000


def is_number(value):
    """Whether ``value`` is a finite int or float (not a boolean, a string, NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def has_precision(amount, decimal_places):
    """Whether ``amount`` has no more decimals than ``decimal_places`` (float noise aside)."""
    return abs(round(amount, decimal_places) - amount) < 10 ** -(decimal_places + 3)


def split_spend(amount, principal, bonus, order, round_amount):
    """Return ``(from_principal, from_bonus)`` for spending ``amount`` out of the two balances.

    The caller has checked that ``amount <= principal + bonus``.
    """
    if order == "bonus_first":
        from_bonus = min(amount, bonus)
        return round_amount(amount - from_bonus), from_bonus
    if order == "proportional" and principal + bonus > 0:
        from_bonus = min(bonus, round_amount(amount * bonus / (principal + bonus)))
        from_principal = round_amount(amount - from_bonus)
        if from_principal > principal:  # rounding pushed principal past what is left
            from_principal, from_bonus = principal, round_amount(amount - principal)
        return from_principal, from_bonus
    from_principal = min(amount, principal)
    return from_principal, round_amount(amount - from_principal)


def bonus_for_rule(amount, bonus_type, value, round_amount):
    """The bonus one rule gives for a top-up of ``amount``."""
    if bonus_type == "percent":
        return round_amount(amount * value / 100.0)
    return round_amount(value)


def choose_bonuses(candidates, stack, keep=None):
    """From ``[(rule, bonus)]`` of the matching rules keep all (stacking) or the best one.

    A rule giving no money counts only if ``keep(rule)`` (it gives something else); among equal
    bonuses the first rule wins.
    """
    candidates = [(rule, bonus) for rule, bonus in candidates if bonus > 0 or (keep and keep(rule))]
    if stack or not candidates:
        return candidates
    return [max(candidates, key=lambda item: item[1])]


def remaining_in_batches(batches, consumed):
    """Bonus left in each batch when ``consumed`` was taken from them in order (FIFO).

    ``batches`` is the list of credited bonus amounts in consumption order; returns the list of
    what is left of each.
    """
    left = []
    for credited in batches:
        taken = min(credited, max(consumed, 0))
        consumed -= taken
        left.append(credited - taken)
    return left
