"""Predicted customer lifetime value: BG/NBD repeat purchases and Gamma-Gamma spend, in pure Python.

References:

* Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the Pareto/NBD
  Model", Marketing Science 24(2) — the BG/NBD model (likelihood eq. 6, E[X(t)] eq. 9, conditional
  expectation eq. 10, P(alive) from Fader, Hardie & Lee's note "Computing P(alive) Using the BG/NBD Model").
* Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", and Fader, Hardie & Lee (2005), "RFM and
  CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4).

Units: every time (``t_x``, ``T``, ``t``, ``horizon``) is in one unit of the caller's choosing, the same for
the fit and the predictions (the suite uses weeks). A customer is described as in the papers, from their
first purchase: ``x`` is the number of *repeat* purchases (purchases after the first), ``t_x`` the time from the
first purchase to the last one (0 when ``x`` is 0), ``T`` the time from the first purchase to the end of the
observation. ``mean_spend`` is the average value of the repeat purchases. Spend is in any one currency.

numpy and scipy are not used on purpose (Odoo's requirements do not carry them); fitting is maximum likelihood
by a Nelder-Mead search over the logarithms of the parameters, deterministic for a given input whatever its
order.
"""

import math
from collections import namedtuple

BgNbdParams = namedtuple("BgNbdParams", ["r", "alpha", "a", "b"])
BgNbdParams.__doc__ = """BG/NBD parameters: purchase rates ~ Gamma(shape r, rate alpha) — alpha in the caller's time
unit —, drop-out probabilities ~ Beta(a, b)."""

GammaGammaParams = namedtuple("GammaGammaParams", ["p", "q", "gamma"])
GammaGammaParams.__doc__ = """Gamma-Gamma parameters: a purchase's value ~ Gamma(shape p, rate nu), with
nu ~ Gamma(shape q, rate gamma) across customers; gamma is in the currency of the spend."""

MIN_CUSTOMERS = 10
"""The fewest customers (counting ``count``) a fit accepts; below that the estimates mean nothing."""

MAX_ITERATIONS = 2000
"""Nelder-Mead iterations per search (the fit runs one search and one restart from its end)."""

_HYPERGEOMETRIC_TOLERANCE = 1e-14
_HYPERGEOMETRIC_MAX_TERMS = 200000


# Input checks


def _finite(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, not {value!r}")
    return value


def _check_customer(x, t_x, T):
    """``(x, t_x, T)`` as ``(int, float, float)``, or ValueError when they cannot describe a customer."""
    x_value = _finite(x, "x")
    if x_value < 0 or x_value != int(x_value):
        raise ValueError(f"x (repeat purchases) must be a whole number >= 0, not {x!r}")
    t_x = _finite(t_x, "t_x")
    T = _finite(T, "T")
    if t_x < 0 or T < 0:
        raise ValueError(f"times must not be negative (t_x={t_x!r}, T={T!r})")
    if t_x > T:
        raise ValueError(f"t_x (time of the last purchase) {t_x!r} is after T (end of observation) {T!r}")
    if x_value == 0 and t_x != 0:
        raise ValueError(f"a customer without repeat purchases has t_x = 0, not {t_x!r}")
    return int(x_value), t_x, T


def _check_count(count):
    count = _finite(count, "count")
    if count <= 0:
        raise ValueError(f"count must be positive, not {count!r}")
    return count


def _check_bg_nbd(params):
    r, alpha, a, b = (_finite(value, name) for value, name in zip(params, BgNbdParams._fields, strict=True))
    if min(r, alpha, a, b) <= 0:
        raise ValueError(f"BG/NBD parameters must be positive, not {tuple(params)!r}")
    return BgNbdParams(r, alpha, a, b)


def _check_gamma_gamma(params):
    p, q, gamma = (_finite(value, name) for value, name in zip(params, GammaGammaParams._fields, strict=True))
    if min(p, q, gamma) <= 0:
        raise ValueError(f"Gamma-Gamma parameters must be positive, not {tuple(params)!r}")
    return GammaGammaParams(p, q, gamma)


def _check_time(t, name="t"):
    t = _finite(t, name)
    if t < 0:
        raise ValueError(f"{name} must not be negative, not {t!r}")
    return t


def _grouped_bg_nbd(customers):
    """``{x: [(t_x, T, count), ...]}`` with equal customers merged, sorted so the input order does not matter."""
    merged = {}
    for row in customers:
        if len(row) == 3:
            x, t_x, T = row
            count = 1.0
        elif len(row) == 4:
            x, t_x, T, count = row
            count = _check_count(count)
        else:
            raise ValueError(f"a customer is (x, t_x, T) or (x, t_x, T, count), not {row!r}")
        key = _check_customer(x, t_x, T)
        merged[key] = merged.get(key, 0.0) + count
    groups = {}
    for (x, t_x, T), count in sorted(merged.items()):
        groups.setdefault(x, []).append((t_x, T, count))
    return groups


def _grouped_gamma_gamma(customers):
    """``[(x, mean_spend, count), ...]`` merged and sorted; customers need x > 0 and a positive mean spend."""
    merged = {}
    for row in customers:
        if len(row) == 2:
            x, mean_spend = row
            count = 1.0
        elif len(row) == 3:
            x, mean_spend, count = row
            count = _check_count(count)
        else:
            raise ValueError(f"a customer is (x, mean_spend) or (x, mean_spend, count), not {row!r}")
        key = (_check_repeat_buyer(x), _check_spend(mean_spend))
        merged[key] = merged.get(key, 0.0) + count
    return [(x, mean_spend, count) for (x, mean_spend), count in sorted(merged.items())]


def _check_repeat_buyer(x):
    x_value = _finite(x, "x")
    if x_value < 1 or x_value != int(x_value):
        raise ValueError(f"the spend model needs x (repeat purchases) a whole number >= 1, not {x!r}")
    return int(x_value)


def _check_spend(mean_spend):
    mean_spend = _finite(mean_spend, "mean_spend")
    if mean_spend <= 0:
        raise ValueError(f"mean_spend must be positive, not {mean_spend!r}")
    return mean_spend


# Numerics


def _log_hyp2f1(a, b, c, z):
    """``log 2F1(a, b; c; z)`` for a, b, c > 0 and 0 <= z < 1, by its power series.

    All terms are positive, so the sum is accurate; it is rescaled on the way so that large ``a`` near
    ``z = 1`` does not overflow. The series converges for every z < 1 (the ratio of terms tends to z).
    """
    if not 0 <= z < 1 or min(a, b, c) <= 0:
        raise ValueError(f"the hypergeometric series needs a, b, c > 0 and 0 <= z < 1, not {(a, b, c, z)!r}")
    log_scale = 0.0
    total = term = 1.0
    for n in range(_HYPERGEOMETRIC_MAX_TERMS):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        # Past the largest term the ratio (a+n)(b+n)z/((c+n)(n+1)) is below one and keeps falling,
        # so once a term is negligible the rest are too.
        if term <= total * _HYPERGEOMETRIC_TOLERANCE and (a + n + 1) * (b + n + 1) * z < (c + n + 1) * (n + 2):
            return log_scale + math.log(total)
        if total > 1e250:
            log_scale += math.log(total)
            term /= total
            total = 1.0
    raise ArithmeticError(f"2F1({a}, {b}; {c}; {z}) did not converge in {_HYPERGEOMETRIC_MAX_TERMS} terms")


def _nelder_mead(function, start, steps, max_iterations=MAX_ITERATIONS, tolerance=1e-10):
    """The point minimising ``function`` found by Nelder-Mead from ``start`` (standard coefficients).

    Deterministic: the same function and start give the same point. Stops when the simplex's values agree
    to ``tolerance`` (relative) and its points to ``tolerance ** 0.5``, or after ``max_iterations``.
    """
    size = len(start)
    simplex = [list(start)]
    for i in range(size):
        point = list(start)
        point[i] += steps[i]
        simplex.append(point)
    values = [function(point) for point in simplex]
    for _iteration in range(max_iterations):
        order = sorted(range(size + 1), key=lambda i: values[i])
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        spread = max(abs(value - values[0]) for value in values[1:])
        width = max(abs(point[i] - simplex[0][i]) for point in simplex[1:] for i in range(size))
        if spread <= tolerance * (1 + abs(values[0])) and width <= tolerance**0.5:
            break
        centroid = [sum(point[i] for point in simplex[:-1]) / size for i in range(size)]
        worst = simplex[-1]

        def towards(coefficient, worst=worst, centroid=centroid):
            return [c + coefficient * (w - c) for c, w in zip(centroid, worst, strict=True)]

        reflected = towards(-1.0)
        reflected_value = function(reflected)
        if reflected_value < values[0]:
            expanded = towards(-2.0)
            expanded_value = function(expanded)
            if expanded_value < reflected_value:
                simplex[-1], values[-1] = expanded, expanded_value
            else:
                simplex[-1], values[-1] = reflected, reflected_value
        elif reflected_value < values[-2]:
            simplex[-1], values[-1] = reflected, reflected_value
        else:
            if reflected_value < values[-1]:
                contracted = towards(-0.5)
                contracted_value = function(contracted)
                accept = contracted_value <= reflected_value
            else:
                contracted = towards(0.5)
                contracted_value = function(contracted)
                accept = contracted_value < values[-1]
            if accept:
                simplex[-1], values[-1] = contracted, contracted_value
            else:
                best = simplex[0]
                simplex = [best] + [
                    [b + 0.5 * (p - b) for b, p in zip(best, point, strict=True)] for point in simplex[1:]
                ]
                values = [values[0]] + [function(point) for point in simplex[1:]]
    best = min(range(size + 1), key=lambda i: values[i])
    return simplex[best]


def _minimise_log_parameters(negative_log_likelihood, start):
    """Nelder-Mead over the logarithms of positive parameters, restarted once from where it stopped
    (a simplex can collapse early on a curved valley); returns the parameters themselves."""

    def objective(log_params):
        try:
            value = negative_log_likelihood([math.exp(value) for value in log_params])
        except (OverflowError, ValueError, ZeroDivisionError, ArithmeticError):
            return math.inf
        return value if math.isfinite(value) else math.inf

    point = [math.log(value) for value in start]
    for _search in range(2):
        point = _nelder_mead(objective, point, [0.5] * len(point))
    return [math.exp(value) for value in point]


# BG/NBD


def _bg_nbd_log_likelihood_grouped(params, groups):
    r, alpha, a, b = params
    log, log1p, exp = math.log, math.log1p, math.exp
    log_alpha = log(alpha)
    log_beta_ab = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    lgamma_r = math.lgamma(r)
    log_a = log(a)
    total = 0.0
    for x, rows in groups.items():
        # Eq. 6 of the paper in logarithms; the terms that depend on x only are computed once per x.
        rx = r + x
        log_a1 = math.lgamma(rx) - lgamma_r + r * log_alpha
        log_a2 = math.lgamma(a) + math.lgamma(b + x) - math.lgamma(a + b + x) - log_beta_ab
        shared = log_a1 + log_a2
        if not x:
            for _t_x, T, count in rows:
                total += count * (shared - rx * log(alpha + T))
            continue
        log_dead = log_a - log(b + x - 1)
        for t_x, T, count in rows:
            alive = -rx * log(alpha + T)
            dead = log_dead - rx * log(alpha + t_x)
            # log(exp(alive) + exp(dead)) without overflow
            if alive > dead:
                total += count * (shared + alive + log1p(exp(dead - alive)))
            else:
                total += count * (shared + dead + log1p(exp(alive - dead)))
    return total


def bg_nbd_log_likelihood(params, customers):
    """The log-likelihood of BG/NBD ``params`` for ``customers``.

    ``customers`` is an iterable of ``(x, t_x, T)`` or ``(x, t_x, T, count)``, ``count`` being how many
    customers share those figures (eq. 6 of Fader, Hardie & Lee 2005). Times in one unit, as ``params``.
    """
    return _bg_nbd_log_likelihood_grouped(_check_bg_nbd(params), _grouped_bg_nbd(customers))


def fit_bg_nbd(customers):
    """The maximum-likelihood BG/NBD parameters for ``customers`` (as in :func:`bg_nbd_log_likelihood`).

    ValueError when fewer than :data:`MIN_CUSTOMERS` customers are given or none bought again (the drop-out
    process cannot be estimated then). ``alpha`` comes out in the time unit of the input.
    """
    groups = _grouped_bg_nbd(customers)
    customer_count = sum(count for rows in groups.values() for _t_x, _T, count in rows)
    if customer_count < MIN_CUSTOMERS:
        raise ValueError(f"fitting needs at least {MIN_CUSTOMERS} customers, not {customer_count:g}")
    repeat_purchases = sum(x * count for x, rows in groups.items() for _t_x, _T, count in rows)
    if not repeat_purchases:
        raise ValueError("fitting needs at least one customer who bought again")
    observed_time = sum(T * count for rows in groups.values() for _t_x, T, count in rows)
    if observed_time <= 0:
        raise ValueError("fitting needs customers observed for some time (T > 0)")
    # Start from r = 1 and the population's mean purchase rate r / alpha, with a neutral drop-out prior.
    start = [1.0, observed_time / repeat_purchases, 1.0, 1.0]
    r, alpha, a, b = _minimise_log_parameters(
        lambda params: -_bg_nbd_log_likelihood_grouped(params, groups) / customer_count, start
    )
    return BgNbdParams(r, alpha, a, b)


def expected_purchases(params, t, x, t_x, T):
    """How many purchases a customer with history ``(x, t_x, T)`` is expected to make in the next ``t``.

    The conditional expectation E[Y(t) | x, t_x, T] of eq. 10 of Fader, Hardie & Lee (2005), with the
    Gaussian hypergeometric function computed by its series. ``t`` in the time unit of ``params``.
    ValueError for a = 1, and for a customer without repeat purchases when a + b <= 1 (the series then
    has no meaning).
    """
    r, alpha, a, b = _check_bg_nbd(params)
    t = _check_time(t)
    x, t_x, T = _check_customer(x, t_x, T)
    if a == 1:
        raise ValueError("the conditional expectation is undefined for a = 1")
    if t == 0:
        return 0.0
    rx = r + x
    z = t / (alpha + T + t)
    # ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; z), in logarithms: the first factor is tiny
    # exactly when the second is huge.
    log_product = rx * math.log1p(-z) + _log_hyp2f1(rx, b + x, a + b + x - 1, z)
    # Never negative, though rounding can make it so for a horizon of a few femtoseconds.
    numerator = max((a + b + x - 1) / (a - 1) * -math.expm1(log_product), 0.0)
    if not x:
        return numerator
    return numerator * probability_alive(params, x, t_x, T)


def population_expected_purchases(params, t):
    """How many repeat purchases a new customer is expected to make in their first ``t`` (eq. 9)."""
    r, alpha, a, b = _check_bg_nbd(params)
    t = _check_time(t)
    if a == 1:
        raise ValueError("the expectation is undefined for a = 1")
    if t == 0:
        return 0.0
    z = t / (alpha + t)
    log_product = r * math.log1p(-z) + _log_hyp2f1(r, b, a + b - 1, z)
    return max((a + b - 1) / (a - 1) * -math.expm1(log_product), 0.0)


def probability_alive(params, x, t_x, T):
    """The probability that a customer with history ``(x, t_x, T)`` has not dropped out at ``T``.

    1 for a customer without repeat purchases: in the BG/NBD story drop-out only happens right after a
    repeat purchase.
    """
    r, alpha, a, b = _check_bg_nbd(params)
    x, t_x, T = _check_customer(x, t_x, T)
    if not x:
        return 1.0
    log_odds_dead = math.log(a / (b + x - 1)) + (r + x) * (math.log(alpha + T) - math.log(alpha + t_x))
    if log_odds_dead > 700:
        return math.exp(-log_odds_dead)
    return 1.0 / (1.0 + math.exp(log_odds_dead))


# Gamma-Gamma


def _gamma_gamma_prepared(rows):
    """``rows`` ``(x, mean_spend, count)`` as the likelihood reads them, by x: ``(x, log x, customers,
    [(log mean_spend, mean_spend * x, count)])``; what does not depend on the parameters is computed once."""
    by_x = {}
    for x, mean_spend, count in rows:
        by_x.setdefault(x, []).append((math.log(mean_spend), mean_spend * x, count))
    return [
        (x, math.log(x), sum(count for _log, _spend, count in entries), entries) for x, entries in sorted(by_x.items())
    ]


def _gamma_gamma_log_likelihood_prepared(params, prepared):
    p, q, gamma = params
    log, lgamma = math.log, math.lgamma
    head = q * log(gamma) - lgamma(q)
    total = 0.0
    for x, log_x, customers, entries in prepared:
        px = p * x
        total += customers * (head + lgamma(px + q) - lgamma(px) + px * log_x)
        spend_power, total_power = px - 1, px + q
        for log_spend, spend_x, count in entries:
            total += count * (spend_power * log_spend - total_power * log(gamma + spend_x))
    return total


def _gamma_gamma_log_likelihood_grouped(params, rows):
    return _gamma_gamma_log_likelihood_prepared(params, _gamma_gamma_prepared(rows))


def gamma_gamma_log_likelihood(params, customers):
    """The log-likelihood of Gamma-Gamma ``params`` for ``customers`` ``(x, mean_spend[, count])``, x > 0."""
    return _gamma_gamma_log_likelihood_grouped(_check_gamma_gamma(params), _grouped_gamma_gamma(customers))


def fit_gamma_gamma(customers):
    """The maximum-likelihood Gamma-Gamma parameters for ``customers``: ``(x, mean_spend)`` or
    ``(x, mean_spend, count)``, each with x >= 1 repeat purchases of average value ``mean_spend`` > 0.

    ValueError with fewer than :data:`MIN_CUSTOMERS` such customers.
    """
    rows = _grouped_gamma_gamma(customers)
    customer_count = sum(count for _x, _spend, count in rows)
    if customer_count < MIN_CUSTOMERS:
        raise ValueError(f"fitting needs at least {MIN_CUSTOMERS} repeat customers, not {customer_count:g}")
    mean_spend = sum(spend * count for _x, spend, count in rows) / customer_count
    # p = 1, q = 2 and gamma = the average spend put the population mean p*gamma/(q-1) at the average spend.
    prepared = _gamma_gamma_prepared(rows)
    p, q, gamma = _minimise_log_parameters(
        lambda params: -_gamma_gamma_log_likelihood_prepared(params, prepared) / customer_count,
        [1.0, 2.0, mean_spend],
    )
    return GammaGammaParams(p, q, gamma)


def expected_average_spend(params, x, mean_spend):
    """The expected value of a future purchase of a customer with ``x`` repeat purchases averaging
    ``mean_spend``: a weighted mean of theirs and the population's, p*gamma/(q-1) (Fader & Hardie 2013).

    With ``x`` = 0 (``mean_spend`` ignored) it is the population mean, defined only for q > 1.
    """
    p, q, gamma = _check_gamma_gamma(params)
    x_value = _finite(x, "x")
    if x_value < 0 or x_value != int(x_value):
        raise ValueError(f"x (repeat purchases) must be a whole number >= 0, not {x!r}")
    x = int(x_value)
    mean_spend = _check_spend(mean_spend) if x else 0.0
    if p * x + q <= 1:
        raise ValueError(f"the expected spend is infinite for q <= 1 - p*x (p={p!r}, q={q!r}, x={x!r})")
    return p * (gamma + x * mean_spend) / (p * x + q - 1)


def predicted_value(bg, gg, horizon, x, t_x, T, mean_spend):
    """The value a customer is expected to bring in the next ``horizon``: expected purchases (BG/NBD)
    times the expected value of a purchase (Gamma-Gamma). Undiscounted, in the currency of ``gg``.
    """
    return expected_purchases(bg, horizon, x, t_x, T) * expected_average_spend(gg, x, mean_spend)
