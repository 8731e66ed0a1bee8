"""Bulk recompute: member tiers, RFM segments, life cycle and value of 100,000 customers, 1,000,000 order lines.

The data is generated with SQL in a fresh database with the suite (250,000 paid POS orders of 4 lines
over two years). Then the production crons run as they do at night, in committed batches: the tier
review (``loyalty.card._cron_update_tiers``) and the segmentation (``res.partner._cron_compute_rfm``:
RFM, then life cycle stages and value figures, then the predicted lifetime value), each step timed.
For comparison, a per-customer ORM loop does the same work on a 5,000-customer sample: the tier review
called card by card, and RFM figures read with one ``search`` per customer. Then the next night: the
marks turned back a day and the tables vacuumed, the tier review and RFM run again (a night where nobody
changes tier, the usual case). Last, the member reports
(members by month, cohorts) are read once as their pivots read them. Prints wall times and the speed-up
per customer.

    make bench-recompute [PARTNERS=100000]
"""

import argparse
import contextlib
import time
from collections import defaultdict
from unittest.mock import patch

from .harness import main

DBNAME = "stored_value_bench_recompute"
ADDONS = ["stored_value_crm", "loyalty_tiers"]
LINES_PER_ORDER = 4
SAMPLE = 5000


def generate(env, partners, orders):
    """Customers, their paid POS orders and lines, and a loyalty card each in a programme with tiers."""
    from odoo import fields
    from odoo.tools import SQL

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
    product = env["product.product"].create({"name": "Bulk item", "list_price": 25.0, "taxes_id": False})
    program = env["loyalty.program"].create(
        {
            "name": "Bulk membership",
            "program_type": "loyalty",
            "applies_on": "both",
            "trigger": "auto",
            "rule_ids": [fields.Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
            "reward_ids": [fields.Command.create({"reward_type": "discount", "discount": 5, "required_points": 100})],
        }
    )
    env["loyalty.tier"].create(
        [
            {"name": "Regular", "program_id": program.id, "sequence": 1, "min_spend": 0, "window_months": 12},
            {"name": "Silver", "program_id": program.id, "sequence": 2, "min_spend": 300, "window_months": 12},
            {"name": "Gold", "program_id": program.id, "sequence": 3, "min_spend": 600, "window_months": 12},
            {"name": "Diamond", "program_id": program.id, "sequence": 4, "min_spend": 1000, "window_months": 12},
        ]
    )
    env.flush_all()
    cr = env.cr
    cr.execute(SQL("SELECT COALESCE(MAX(id), 0) FROM res_partner"))
    first = cr.fetchone()[0] + 1
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, complete_name, autopost_bills, active, type, is_company,
                                        create_date, write_date)
               SELECT 'Bulk customer ' || n, 'Bulk customer ' || n, 'ask', TRUE, 'contact', FALSE,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM generate_series(1, %s) n""",
            partners,
        )
    )
    cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s", first))
    cr.execute(
        SQL(
            """INSERT INTO pos_order (name, partner_id, company_id, state, date_order, amount_total, amount_paid,
                                      amount_tax, amount_return, create_date, write_date)
               SELECT 'Bulk/' || n, %(first)s + (n::bigint * 7919) %% %(partners)s, %(company)s, 'paid',
                      (now() AT TIME ZONE 'UTC') - make_interval(days => (n * 31) %% 730),
                      amount, amount, 0, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM (SELECT n, (10 + (n * 37) %% 490)::numeric AS amount FROM generate_series(1, %(orders)s) n) o""",
            first=first,
            partners=partners,
            company=company.id,
            orders=orders,
        )
    )
    cr.execute(
        SQL(
            """INSERT INTO pos_order_line (name, order_id, product_id, company_id, qty, price_unit,
                                           price_subtotal, price_subtotal_incl)
               SELECT 'Bulk line', pos.id, %(product)s, pos.company_id, 1, pos.amount_total / %(per)s,
                      pos.amount_total / %(per)s, pos.amount_total / %(per)s
                 FROM pos_order pos CROSS JOIN generate_series(1, %(per)s)
                WHERE pos.name LIKE 'Bulk/%%'""",
            product=product.id,
            per=LINES_PER_ORDER,
        )
    )
    cr.execute(
        SQL(
            """INSERT INTO loyalty_card (code, program_id, partner_id, company_id, points, active,
                                         create_date, write_date)
               SELECT 'BULK-' || partner.id, %(program)s, partner.id, %(company)s, 0, TRUE,
                      now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM res_partner partner WHERE partner.id >= %(first)s""",
            program=program.id,
            company=company.id,
            first=first,
        )
    )
    cr.execute(SQL("ANALYZE"))
    env.invalidate_all()
    return first


def turn_night_back(env):
    """Move the marks of the night's tier review and segmentation back a day, as the next night finds them."""
    env.cr.execute("UPDATE loyalty_night_progress SET run_date = run_date - 1, done_date = done_date - 1")
    env.invalidate_all()


def rfm_loop(env, partner_ids):
    """RFM figures the way a per-customer loop gets them: one search per customer, one write each."""
    from odoo import fields

    cutoff = fields.Datetime.subtract(fields.Datetime.now(), months=24)
    for partner in env["res.partner"].browse(partner_ids):
        orders = env["pos.order"].search(
            [("partner_id", "=", partner.id), ("state", "in", ("paid", "done")), ("date_order", ">=", cutoff)]
        )
        partner.write(
            {
                "rfm_last_order_date": max(orders.mapped("date_order")).date() if orders else False,
                "rfm_order_count": len(orders),
                "rfm_amount": sum(orders.mapped("amount_total")),
            }
        )
    env.flush_all()


@contextlib.contextmanager
def timed_steps(model_class, names):
    """Time the calls of ``model_class``'s methods ``names`` while the block runs: ``{name: seconds}``."""
    seconds = defaultdict(float)

    def timed(name, original):
        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start

        return wrapper

    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(patch.object(model_class, name, timed(name, getattr(model_class, name))))
        yield seconds


def run(harness):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    session = harness.fresh_database(DBNAME, ADDONS)
    registry = harness.registry(session, DBNAME)
    print(f"Generating {args.partners:,} customers and {args.lines:,} POS order lines ...", flush=True)
    with harness.environment(registry) as env:
        first = generate(env, args.partners, args.lines // LINES_PER_ORDER)
    sample_partners = list(range(first, first + min(SAMPLE, args.partners)))

    with harness.environment(registry) as env:
        cards = env["loyalty.card"].search([("partner_id", "in", sample_partners)])
        start = time.perf_counter()
        for card in cards:
            card._update_tiers()
        env.flush_all()
        tier_loop = time.perf_counter() - start
        start = time.perf_counter()
        rfm_loop(env, sample_partners)
        rfm_loop_seconds = time.perf_counter() - start
        env.cr.rollback()  # the sample is reviewed again by the crons below

    print("Running the tier review and the RFM segmentation crons ...", flush=True)
    with harness.environment(registry) as env:
        start = time.perf_counter()
        env["loyalty.card"]._cron_update_tiers()
        tier_bulk = time.perf_counter() - start
    steps = ("_compute_rfm_batch", "_compute_lifecycle_batch", "_compute_member_clv")
    with harness.environment(registry) as env, timed_steps(type(env["res.partner"]), steps) as step_seconds:
        start = time.perf_counter()
        env["res.partner"]._cron_compute_rfm()
        segmentation = time.perf_counter() - start
        rfm_bulk = step_seconds["_compute_rfm_batch"]
        fit = env["loyalty.clv.fit"].search([], order="id desc", limit=1)
        fit_summary = f"{fit.state}, {fit.customer_count:,} customers" if fit else "none"
        staged = env["res.partner"].search_count([("lifecycle_stage_id", "!=", False), ("id", ">=", first)])
        predicted = env["res.partner"].search_count([("member_predicted_clv", ">", 0), ("id", ">=", first)])
        progress = env["loyalty.night.progress"]._of("tier_review")
        reviewed = env["loyalty.card"].search_count([("id", "<=", progress.last_id)])
        segmented = env["res.partner"].search_count([("rfm_segment", "!=", False), ("id", ">=", first)])
        tiers = [
            (tier.name or "none", count)
            for tier, count in env["loyalty.card"]._read_group(
                [("partner_id", ">=", first)], ["earned_tier_id"], ["__count"]
            )
        ]

    # The next night: everybody was reviewed and segmented yesterday, and the day's autovacuum went by.
    with harness.environment(registry) as env:
        turn_night_back(env)
    session.vacuum(DBNAME, ["res_partner", "loyalty_card"])
    with harness.environment(registry) as env:
        start = time.perf_counter()
        env["loyalty.card"]._cron_update_tiers()
        tier_next = time.perf_counter() - start
    with harness.environment(registry) as env, timed_steps(type(env["res.partner"]), steps) as next_seconds:
        env["res.partner"]._cron_compute_rfm()
        rfm_next = next_seconds["_compute_rfm_batch"]

    # The member reports, read as their default pivots read them (one grouped query each).
    with harness.environment(registry) as env:
        start = time.perf_counter()
        months = env["loyalty.member.monthly.report"]._read_group(
            [], ["month:month", "loyalty_tier_id"], ["member_count:sum", "active_member_count:sum"]
        )
        monthly_seconds = time.perf_counter() - start
        start = time.perf_counter()
        cohorts = env["loyalty.member.cohort.report"]._read_group(
            [("is_member", "=", True)], ["cohort_month:month", "month_offset"], ["retention:avg"]
        )
        cohort_seconds = time.perf_counter() - start

    sample = len(sample_partners)
    harness.report("customers", args.partners)
    harness.report("POS order lines", args.lines)
    harness.report("tier review, all customers (cron)", tier_bulk, "s")
    harness.report("RFM segmentation, all customers (cron step)", rfm_bulk, "s")
    harness.report("tier review + RFM, all customers", tier_bulk + rfm_bulk, "s", "≤ 15 s")
    harness.report("next night: tier review, all customers (cron)", tier_next, "s")
    harness.report("next night: RFM segmentation, all customers (cron step)", rfm_next, "s")
    harness.report("next night: tier review + RFM", tier_next + rfm_next, "s", "≤ 15 s")
    harness.report("life cycle stages and value figures (cron step)", step_seconds["_compute_lifecycle_batch"], "s")
    harness.report("lifetime value fit and predictions (cron step)", step_seconds["_compute_member_clv"], "s")
    harness.report("segmentation cron in all (RFM, life cycle, value, CLV)", segmentation, "s")
    harness.report(f"members by month report, by month and tier ({len(months):,} groups)", monthly_seconds, "s")
    harness.report(f"member cohorts report, by cohort and month ({len(cohorts):,} groups)", cohort_seconds, "s")
    harness.report(f"tier review, ORM loop on {sample:,} customers", tier_loop, "s")
    harness.report(f"RFM figures, ORM loop on {sample:,} customers", rfm_loop_seconds, "s")
    harness.report(
        "speed-up per customer, tiers (loop / cron)",
        (tier_loop / sample) / (tier_bulk / args.partners),
        "×",
        "≥ 50×",
    )
    harness.report(
        "speed-up per customer, RFM (loop / cron)",
        (rfm_loop_seconds / sample) / (rfm_bulk / args.partners),
        "×",
        "≥ 50×",
    )
    harness.report("cards reviewed", reviewed, "", f"{args.partners:,}")
    harness.report("customers segmented", segmented, "", f"{args.partners:,}")
    harness.report("customers with a life cycle stage", staged, "", f"{args.partners:,}")
    harness.report("customers with a predicted lifetime value", predicted)
    harness.report("lifetime value fit", fit_summary)
    for tier, count in tiers:
        harness.report(f"members in tier {tier}", count)
    harness.print_results(f"Bulk recompute: {args.partners:,} customers, {args.lines:,} order lines")


if __name__ == "__main__":
    main("bench.bulk_recompute", run)
