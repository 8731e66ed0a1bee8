"""POS sync overhead: orders synced through ``pos.order.sync_from_ui``, the method the POS calls.

Kinds of 3-line orders, interleaved in rounds so that the machine's drift hits all of them alike:
plain (no customer, cash), a customer's order without points (what naming a customer costs Odoo itself),
a member earning points the way stock ``pos_loyalty`` does (its ``confirm_coupon_programs`` after the
sync), each in a database with Odoo's addons only; then, with the suite, plain, a member earning points
through the suite (verification under lock, tier multiplier, expiring batches, tier review, the survey
invitation decision of a rule inviting one purchase in ten) and an order paid from a stored-value card.
Each order is one transaction, committed, as a POS request is. Both databases first get the movements of
200,000 past orders of 20,000 past customers (points history and, with the suite, card ledger), as a shop
open for a year holds: a lookup no index serves shows what it costs there. Prints seconds and SQL queries
per order and the ratios to plain in the same database.

    make bench-pos [ORDERS=500]
"""

import argparse
import json
import time

from .harness import main, median
from .shop import add_past_history, order_payload, set_up_shop

STOCK_DB = "stored_value_bench_stock"
SUITE_DB = "stored_value_bench_suite"
STOCK_ADDONS = ["point_of_sale", "pos_loyalty"]
SUITE_ADDONS = ["stored_value_crm", "loyalty_tiers", "customer_feedback"]
ROUNDS = 5
PAST_ORDERS = 200_000


class Kind:
    """One kind of order: how to build it, and what to call after the sync (the POS's second call)."""

    def __init__(self, name, registry, shop, payments, member=False, points=True):
        self.name, self.registry, self.shop, self.member, self.points = name, registry, shop, member, points
        self.payments = payments
        self.seconds, self.queries = [], []

    def payload(self, index):
        partner = self.shop["holders"][index % len(self.shop["holders"])] if self.member else None
        return order_payload(self.shop, self.payments(index), partner_id=partner)

    def sync(self, harness, uid, index):
        payload = self.payload(index)
        start = time.perf_counter()
        with harness.environment(self.registry, uid) as env:
            before = env.cr.sql_log_count
            synced = env["pos.order"].sync_from_ui([payload])
            if self.points and self.shop["program"] and payload["partner_id"]:
                order = env["pos.order"].browse(synced["pos.order"][0]["id"])
                card = self.shop["loyalty_cards"][self.shop["holders"].index(payload["partner_id"])]
                order.confirm_coupon_programs(
                    {card: {"points": order.amount_total, "program_id": self.shop["program"], "coupon_id": card}}
                )
            queries = env.cr.sql_log_count - before
        self.seconds.append(time.perf_counter() - start)
        self.queries.append(queries)


def shop_in(harness, dbname, addons, fresh):
    session = harness.fresh_database(dbname, addons) if fresh else harness.session(dbname)
    registry = harness.registry(session, dbname)
    with harness.environment(registry) as env:
        if fresh or not env["pos.config"].search_count([("name", "=", "Bench")]):
            shop = set_up_shop(env, "Bench", card_holders=20, card_balance=10_000_000.0, loyalty=True)
            add_past_history(env, shop, PAST_ORDERS)
            env["ir.config_parameter"].set_param("bench.shop", json.dumps(shop))
        shop = json.loads(env["ir.config_parameter"].get_param("bench.shop"))
        uid = env.ref("base.user_admin").id
    return registry, shop, uid


def run(harness):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=500, help="orders of each kind (default 500)")
    parser.add_argument("--reuse", action="store_true", help="reuse the databases of a previous run")
    args = parser.parse_args()
    stock, stock_shop, stock_uid = shop_in(harness, STOCK_DB, STOCK_ADDONS, not args.reuse)
    suite, suite_shop, suite_uid = shop_in(harness, SUITE_DB, SUITE_ADDONS, not args.reuse)

    def cash(shop):
        return lambda index: [(shop["cash"], 60.0, {})]

    def card(shop):
        return lambda index: [
            (shop["card_method"], 60.0, {"stored_value_card_id": shop["cards"][index % len(shop["cards"])]})
        ]

    kinds = [
        (Kind("plain (Odoo only)", stock, stock_shop, cash(stock_shop)), stock_uid),
        (
            Kind("customer, Odoo only (no points)", stock, stock_shop, cash(stock_shop), member=True, points=False),
            stock_uid,
        ),
        (Kind("member, stock pos_loyalty", stock, stock_shop, cash(stock_shop), member=True), stock_uid),
        (Kind("plain (suite installed)", suite, suite_shop, cash(suite_shop)), suite_uid),
        (Kind("member, suite (tiers, batches, checks)", suite, suite_shop, cash(suite_shop), member=True), suite_uid),
        (Kind("paid from a stored-value card", suite, suite_shop, card(suite_shop), member=True), suite_uid),
    ]
    for kind, uid in kinds:  # warm the caches: the first orders of a process are not the ones measured
        for index in range(5):
            kind.sync(harness, uid, index)
        kind.seconds, kind.queries = [], []
    per_round = max(1, args.orders // ROUNDS)
    print(f"Syncing {per_round * ROUNDS} orders of each kind in {ROUNDS} interleaved rounds ...", flush=True)
    for _round in range(ROUNDS):
        for kind, uid in kinds:
            for index in range(per_round):
                kind.sync(harness, uid, index)

    for kind, _uid in kinds:
        harness.report(f"{kind.name}: ms per order (median)", median(kind.seconds) * 1000, "ms")
        harness.report(f"{kind.name}: SQL queries per order", median(kind.queries), "queries")
    figures = {kind.name: (median(kind.seconds), median(kind.queries)) for kind, _uid in kinds}
    for name, base, goal in (
        ("customer, Odoo only (no points)", "plain (Odoo only)", None),
        ("member, stock pos_loyalty", "plain (Odoo only)", None),
        ("member, suite (tiers, batches, checks)", "plain (suite installed)", "≤ 1.08×"),
        ("paid from a stored-value card", "plain (suite installed)", "≤ 1.12×"),
    ):
        harness.report(f"ratio {name} / {base} (time)", figures[name][0] / figures[base][0], "×", goal)
        harness.report(f"ratio {name} / {base} (queries)", figures[name][1] / figures[base][1], "×")
    harness.report(
        "ratio plain suite / plain Odoo only (time)",
        figures["plain (suite installed)"][0] / figures["plain (Odoo only)"][0],
        "×",
    )
    harness.print_results(f"POS sync, {per_round * ROUNDS} orders of each kind")


if __name__ == "__main__":
    main("bench.pos_sync", run)
