import math
import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from odoo.addons.loyalty_tiers.tools import clv_math

# Maximum-likelihood estimates on the CDNOW sample (2,357 customers, 39 weeks), times in weeks: Fader, Hardie &
# Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2); log-likelihood -9582.4 there,
# not checked here because the CDNOW sample cannot be shipped.
CDNOW = clv_math.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
# Gamma-Gamma estimates on CDNOW's repeat buyers: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
# Value"; Fader, Hardie & Lee (2005), "RFM and CLV", Journal of Marketing Research 42(4).
CDNOW_SPEND = clv_math.GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


def simulate_bg_nbd(params, customers, seed):
    """Customers drawn by the BG/NBD story, each first buying in the first 12 of 39 weeks (as in CDNOW)."""
    rng = random.Random(seed)
    histories = []
    for _customer in range(customers):
        age = 39 - rng.uniform(0, 12)
        rate = rng.gammavariate(params.r, 1 / params.alpha)
        drop_out = rng.betavariate(params.a, params.b)
        repeats, last, now = 0, 0.0, 0.0
        while rate > 0:
            now += rng.expovariate(rate)
            if now > age:
                break
            repeats, last = repeats + 1, now
            if rng.random() < drop_out:
                break
        histories.append((repeats, last, age))
    return histories


class TestClvMath(BaseCase):
    def test_conditional_expectation_is_the_published_one(self):
        # Hardie's BG/NBD spreadsheet for the 2005 paper: the customer with 2 repeat purchases, the last at week
        # 30.43 of 38.86, is expected to buy 1.226 times in the next 39 weeks.
        self.assertAlmostEqual(clv_math.expected_purchases(CDNOW, 39, 2, 30.43, 38.86), 1.226, delta=0.0005)

    def test_population_expectation_is_the_published_one(self):
        # E[X(t)] from the same spreadsheet (computed there with unrounded estimates; the published parameters
        # are rounded to three decimals, hence 0.3%).
        published = {0.1429: 0.0078, 1.0: 0.0532, 3.0: 0.1506, 31.8571: 1.0405, 32.0: 1.0437, 78.0: 1.8576}
        for weeks, purchases in published.items():
            self.assertAlmostEqual(
                clv_math.population_expected_purchases(CDNOW, weeks), purchases, delta=max(0.003 * purchases, 1e-4)
            )
        # A customer just acquired is the average new customer.
        self.assertAlmostEqual(
            clv_math.expected_purchases(CDNOW, 39, 0, 0, 0), clv_math.population_expected_purchases(CDNOW, 39)
        )

    def test_probability_alive(self):
        # Without repeat purchases nobody has dropped out yet; right after a purchase, only that purchase's
        # drop-out chance counts: 1 / (1 + a / (b + x - 1)).
        self.assertEqual(clv_math.probability_alive(CDNOW, 0, 0, 38.86), 1.0)
        self.assertAlmostEqual(clv_math.probability_alive(CDNOW, 2, 38.86, 38.86), 1 / (1 + 0.793 / 3.426))
        example = clv_math.probability_alive(CDNOW, 2, 30.43, 38.86)
        self.assertAlmostEqual(example, 0.7266, delta=0.0001)
        # The longer the silence since the last purchase, the likelier the customer has gone.
        self.assertLess(clv_math.probability_alive(CDNOW, 2, 10, 38.86), example)
        # And the more often they bought, the more telling the same silence.
        self.assertLess(clv_math.probability_alive(CDNOW, 20, 30.43, 38.86), example)
        # The expectation is P(alive) times the expectation of a customer known to be alive.
        alive_expectation = clv_math.expected_purchases(CDNOW, 39, 2, 30.43, 38.86) / example
        self.assertGreater(alive_expectation, 1.226)

    def test_log_likelihood_is_equation_6(self):
        r, alpha, a, b = CDNOW

        def beta(u, v):
            return math.gamma(u) * math.gamma(v) / math.gamma(u + v)

        def likelihood(x, t_x, T):
            nbd = math.gamma(r + x) * alpha**r / math.gamma(r)
            value = beta(a, b + x) / beta(a, b) * nbd / (alpha + T) ** (r + x)
            if x:
                value += beta(a + 1, b + x - 1) / beta(a, b) * nbd / (alpha + t_x) ** (r + x)
            return value

        customers = [(0, 0, 38.86), (2, 30.43, 38.86), (1, 1.71, 38.86), (7, 29.43, 38.86), (0, 0, 30)]
        expected = sum(math.log(likelihood(*customer)) for customer in customers)
        self.assertAlmostEqual(clv_math.bg_nbd_log_likelihood(CDNOW, customers), expected, places=9)
        # Grouped customers weigh as many as they count.
        grouped = [(0, 0, 38.86, 2), (2, 30.43, 38.86, 3)]
        ungrouped = [(0, 0, 38.86)] * 2 + [(2, 30.43, 38.86)] * 3
        self.assertAlmostEqual(
            clv_math.bg_nbd_log_likelihood(CDNOW, grouped), clv_math.bg_nbd_log_likelihood(CDNOW, ungrouped)
        )

    def test_fit_recovers_the_parameters_of_simulated_customers(self):
        customers = simulate_bg_nbd(CDNOW, 2000, seed=2005)
        started = time.perf_counter()
        fitted = clv_math.fit_bg_nbd(customers)
        elapsed = time.perf_counter() - started
        # Tolerances are four standard deviations of the estimates over 40 simulated samples of 2,000 customers
        # (r 0.013, alpha 0.45, a 0.14, b 0.59, mean drop-out a/(a+b) 0.018): a and b alone are weakly
        # identified, their ratio much better.
        self.assertAlmostEqual(fitted.r, CDNOW.r, delta=0.052)
        self.assertAlmostEqual(fitted.alpha, CDNOW.alpha, delta=1.8)
        self.assertAlmostEqual(fitted.a, CDNOW.a, delta=0.56)
        self.assertAlmostEqual(fitted.b, CDNOW.b, delta=2.4)
        self.assertAlmostEqual(fitted.a / (fitted.a + fitted.b), CDNOW.a / (CDNOW.a + CDNOW.b), delta=0.072)
        # A maximum: no worse than the truth, and no better a step away.
        fitted_likelihood = clv_math.bg_nbd_log_likelihood(fitted, customers)
        self.assertGreaterEqual(fitted_likelihood, clv_math.bg_nbd_log_likelihood(CDNOW, customers))
        for i in range(4):
            for factor in (0.99, 1.01):
                moved = fitted._replace(**{fitted._fields[i]: fitted[i] * factor})
                self.assertLess(clv_math.bg_nbd_log_likelihood(moved, customers), fitted_likelihood)
        # Deterministic, whatever the order of the customers or whether they are grouped.
        self.assertEqual(clv_math.fit_bg_nbd(list(reversed(customers))), fitted)
        counts = {}
        for customer in customers:
            counts[customer] = counts.get(customer, 0) + 1
        self.assertEqual(clv_math.fit_bg_nbd([(*customer, n) for customer, n in counts.items()]), fitted)
        self.assertLess(elapsed, 5)

    def test_gamma_gamma_published_figures(self):
        # The population's mean spend is p * gamma / (q - 1) = 35.22 (Fader & Hardie 2013).
        self.assertAlmostEqual(clv_math.expected_average_spend(CDNOW_SPEND, 0, 0), 35.22, delta=0.005)
        # A customer's expectation lies between their own mean and the population's, nearer their own the
        # more they bought.
        one = clv_math.expected_average_spend(CDNOW_SPEND, 1, 100)
        ten = clv_math.expected_average_spend(CDNOW_SPEND, 10, 100)
        self.assertTrue(35.22 < one < ten < 100)
        self.assertAlmostEqual(one, 6.25 * (15.44 + 100) / (6.25 + 2.74))

    def test_gamma_gamma_fit_recovers_simulated_spend(self):
        rng = random.Random(2013)
        customers = []
        for _customer in range(2000):
            repeats = rng.randint(1, 8)
            nu = rng.gammavariate(CDNOW_SPEND.q, 1 / CDNOW_SPEND.gamma)
            spends = [rng.gammavariate(CDNOW_SPEND.p, 1 / nu) for _purchase in range(repeats)]
            customers.append((repeats, sum(spends) / repeats))
        fitted = clv_math.fit_gamma_gamma(customers)
        # The population mean spend is well estimated (34.5 to 36.0 over five samples of 2,000); p, q and gamma
        # trade off against each other (p from 5.2 to 9.2 over the same samples).
        fitted_mean = fitted.p * fitted.gamma / (fitted.q - 1)
        self.assertAlmostEqual(fitted_mean, 35.22, delta=0.05 * 35.22)
        self.assertAlmostEqual(fitted.p, CDNOW_SPEND.p, delta=0.5 * CDNOW_SPEND.p)
        self.assertGreaterEqual(
            clv_math.gamma_gamma_log_likelihood(fitted, customers),
            clv_math.gamma_gamma_log_likelihood(CDNOW_SPEND, customers),
        )
        self.assertEqual(clv_math.fit_gamma_gamma(list(reversed(customers))), fitted)

    def test_predicted_value_is_purchases_times_spend(self):
        value = clv_math.predicted_value(CDNOW, CDNOW_SPEND, 39, 2, 30.43, 38.86, 22.35)
        expected = clv_math.expected_purchases(CDNOW, 39, 2, 30.43, 38.86) * clv_math.expected_average_spend(
            CDNOW_SPEND, 2, 22.35
        )
        self.assertAlmostEqual(value, expected)
        self.assertEqual(clv_math.predicted_value(CDNOW, CDNOW_SPEND, 0, 2, 30.43, 38.86, 22.35), 0.0)

    def test_invalid_input_is_refused(self):
        invalid = [(-1, 0, 10), (1.5, 1, 10), (2, -1, 10), (2, 11, 10), (2, 1, math.inf), (0, 3, 10), (2, "a", 10)]
        for x, t_x, T in invalid:
            with self.assertRaises(ValueError):
                clv_math.expected_purchases(CDNOW, 39, x, t_x, T)
            with self.assertRaises(ValueError):
                clv_math.probability_alive(CDNOW, x, t_x, T)
        with self.assertRaises(ValueError):
            clv_math.expected_purchases(CDNOW, -1, 2, 1, 10)
        with self.assertRaises(ValueError):
            clv_math.expected_purchases(CDNOW._replace(alpha=0), 39, 2, 1, 10)
        with self.assertRaises(ValueError):
            clv_math.fit_bg_nbd([(1, 1, 10)] * 9)
        with self.assertRaises(ValueError):
            clv_math.fit_bg_nbd([(0, 0, 10)] * 100)
        with self.assertRaises(ValueError):
            clv_math.fit_bg_nbd([(1, 1, 10, 0)] * 100)
        with self.assertRaises(ValueError):
            clv_math.fit_gamma_gamma([(0, 10)] * 100)
        with self.assertRaises(ValueError):
            clv_math.fit_gamma_gamma([(1, -10)] * 100)
        with self.assertRaises(ValueError):
            clv_math.fit_gamma_gamma([(1, 10)] * 9)
        with self.assertRaises(ValueError):
            clv_math.expected_average_spend(CDNOW_SPEND._replace(q=0.5), 0, 0)

    @settings(max_examples=200, deadline=None)
    @given(
        x=st.integers(min_value=0, max_value=60),
        recency=st.floats(min_value=0, max_value=1),
        T=st.floats(min_value=0, max_value=200),
        t=st.floats(min_value=0, max_value=200),
        more=st.floats(min_value=0.01, max_value=200),
    )
    def test_expectation_grows_with_the_horizon_and_p_alive_is_a_probability(self, x, recency, T, t, more):
        t_x = recency * T if x else 0.0
        alive = clv_math.probability_alive(CDNOW, x, t_x, T)
        self.assertTrue(0 <= alive <= 1)
        sooner = clv_math.expected_purchases(CDNOW, t, x, t_x, T)
        later = clv_math.expected_purchases(CDNOW, t + more, x, t_x, T)
        self.assertGreaterEqual(sooner, 0)
        self.assertGreaterEqual(later, sooner * (1 - 1e-12))
