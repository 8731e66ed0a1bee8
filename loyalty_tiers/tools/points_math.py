"""Pure helpers for points: expiry dates, oldest-first consumption, tier thresholds and progress."""

import calendar
from datetime import date

MEASURES = ("spend", "points", "balance", "topup")


def expiry_date(earned_on, months):
    """The last day of the ``months``-th month after the month of ``earned_on``; None when ``months`` is 0."""
    if not months:
        return None
    month_index = earned_on.year * 12 + earned_on.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def consume_oldest_first(remainings, amount):
    """``(taken per batch, left over)`` when ``amount`` is spent from ``remainings`` in their order."""
    taken = []
    for remaining in remainings:
        take = min(remaining, max(amount, 0.0))
        taken.append(take)
        amount -= take
    return taken, max(amount, 0.0)


def thresholds_met(thresholds, measures, require_all):
    """Whether ``measures`` reach the set ``thresholds`` (``{measure: minimum}``, zero: not a criterion).

    A tier without any threshold is reached by everybody (the entry level).
    """
    criteria = [measures.get(name, 0.0) >= minimum for name, minimum in thresholds.items() if minimum > 0]
    if not criteria:
        return True
    return all(criteria) if require_all else any(criteria)


def progress(thresholds, measures, require_all):
    """How far ``measures`` are towards ``thresholds``, from 0 to 100 (the closest measure, or the farthest)."""
    ratios = [min(measures.get(name, 0.0) / minimum, 1.0) for name, minimum in thresholds.items() if minimum > 0]
    if not ratios:
        return 100.0
    return round(100.0 * (min(ratios) if require_all else max(ratios)), 1)
