"""Replayed syncs: each POS order sent three times at once (a retry, a second tab, an offline replay).

``odoo-bin --workers 4`` serves a fresh database; 200 orders paid from stored-value cards are each sent
by three concurrent requests. A request that loses the race is either answered with the order the first
one saved, or refused ("already exists") and sent again later, as the POS does. For comparison, as many
requests syncing distinct orders once each are timed first, on the same server: three at a time, one from
each of three terminals (each terminal numbers its own orders, so they do not wait for one another). Prints
how the requests were answered, then checks: exactly one order and one card booking per order.

    make bench-replay
"""

import argparse
import concurrent.futures
import time

from .harness import RpcError, main
from .shop import add_terminals, order_payload, set_up_shop

DBNAME = "stored_value_bench_replay"
ADDONS = ["stored_value_crm"]
LOGIN, PASSWORD = "bench_cashier", "bench-cashier-password"
COPIES = 3


def run(harness):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    session = harness.fresh_database(DBNAME, ADDONS)
    registry = harness.registry(session, DBNAME)
    with harness.environment(registry) as env:
        shop = set_up_shop(env, "Replay", card_holders=10, card_balance=1_000_000.0)
        uid, sessions = add_terminals(env, shop, COPIES - 1, LOGIN, PASSWORD)

    def card_order(index):
        """Order ``index``, paid from a card, made at terminal ``index`` modulo the terminals."""
        card = index % len(shop["cards"])
        payload = order_payload(
            shop, [(shop["card_method"], 60.0, {"stored_value_card_id": shop["cards"][card]})], shop["holders"][card]
        )
        return {**payload, "session_id": sessions[index % len(sessions)]}

    payloads = [card_order(index) for index in range(args.orders)]
    first_syncs = [card_order(index) for index in range(COPIES * args.orders)]

    answers = {"saved": 0, "duplicates": 0, "refused": 0}
    with harness.serve(session, DBNAME, workers=4) as client:

        def send(payload):
            try:
                return client.execute(uid, PASSWORD, "pos.order", "sync_from_ui", [payload])["pos.order"][0]["id"]
            except RpcError as error:
                if "already exists" not in str(error):
                    raise
                return None

        print(f"{len(first_syncs)} distinct orders, {COPIES} at once from {len(sessions)} terminals ...", flush=True)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(COPIES * 4) as pool:
            for index in range(0, len(first_syncs), COPIES):
                list(pool.map(send, first_syncs[index : index + COPIES]))
        first_elapsed = time.perf_counter() - start

        print(f"{args.orders} orders, each sent {COPIES} times at once ...", flush=True)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(COPIES * 4) as pool:
            for payload in payloads:
                order_ids = list(pool.map(send, [payload] * COPIES))
                saved = [order_id for order_id in order_ids if order_id]
                answers["saved"] += 1 if saved else 0
                answers["duplicates"] += max(len(saved) - 1, 0)
                answers["refused"] += order_ids.count(None)
                if not saved or len(set(saved)) > 1 or any(order_id is None for order_id in order_ids):
                    retried = send(payload)  # the POS syncs its pending order again
                    if retried is None or (saved and retried not in saved):
                        raise SystemExit(f"FAILED: order {payload['uuid']} answered {order_ids}, then {retried}")
        elapsed = time.perf_counter() - start

    with harness.environment(registry) as env:
        uuids = [payload["uuid"] for payload in payloads]
        orders = env["pos.order"].search_count([("uuid", "in", uuids)])
        bookings = env["stored.value.ledger"].search_count(
            [("entry_type", "=", "spend"), ("idempotency_key", "=like", "pos.order/%")]
        )
        mismatches = len(env["stored.value.card"].browse(shop["cards"])._ledger_discrepancies())
    harness.report(f"orders saved by one of their {COPIES} requests", answers["saved"], "", str(args.orders))
    harness.report("requests answered with the order another one saved", answers["duplicates"])
    harness.report("requests refused ('already exists'), sent again later", answers["refused"])
    harness.report("orders in the database", orders, "", str(args.orders))
    harness.report("card bookings", bookings - len(first_syncs), "", str(args.orders))
    harness.report("cards whose ledger sum differs from the balance", mismatches, "", "0")
    harness.report("time for all requests", elapsed, "s")
    harness.report(f"time for {len(first_syncs)} first syncs of distinct orders", first_elapsed, "s")
    harness.report("ratio replayed / first syncs (time)", elapsed / first_elapsed, "×", "≤ 2×")
    harness.print_results(f"Replay: {args.orders} orders × {COPIES} concurrent syncs, 4 workers")
    if orders != args.orders or bookings != args.orders + len(first_syncs) or mismatches:
        raise SystemExit("FAILED: an order was saved or booked more than once, or not at all")


if __name__ == "__main__":
    main("bench.replay", run)
