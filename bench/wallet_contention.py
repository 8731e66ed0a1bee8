"""Wallet contention: terminals paying from a few shared stored-value cards at once, through a real server.

``odoo-bin --workers 4`` serves a fresh database; 8 client processes each sync 200 POS orders paid from
one of 10 shared cards, over JSON-RPC (``pos.order.sync_from_ui``, what the POS calls). The cards hold
less than all the orders ask, so late payments must be flagged, never overdrawn. Prints throughput and
latency, then checks: no card below zero, every ledger sum equal to its card's balance, one spend per
booked payment.

    make bench-contention
"""

import argparse
import multiprocessing
import time

from .harness import RpcError, main, median, percentile
from .shop import add_terminals, order_payload, set_up_shop

DBNAME = "stored_value_bench_contention"
ADDONS = ["stored_value_crm"]
LOGIN, PASSWORD = "bench_cashier", "bench-cashier-password"


def terminal(client, shop, session_id, uid, orders, seed, queue):
    """One terminal's orders, one after the other: (seconds until saved, first refusal if any) per order."""
    terminal_shop = {**shop, "session": session_id}
    results = []
    for index in range(orders):
        card = shop["cards"][(seed * 7 + index * 3) % len(shop["cards"])]
        payload = order_payload(
            terminal_shop,
            [(shop["card_method"], 60.0, {"stored_value_card_id": card})],
            partner_id=shop["holders"][shop["cards"].index(card)],
        )
        start, error = time.perf_counter(), None
        for attempt in range(3):  # a refused sync stays pending on the terminal, which sends it again
            try:
                client.execute(uid, PASSWORD, "pos.order", "sync_from_ui", [payload])
                break
            except RpcError as refusal:
                error = str(refusal)
                time.sleep(attempt + 1)
        results.append((time.perf_counter() - start, error))
    queue.put(results)


def run(harness):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orders", type=int, default=200, help="orders per client")
    parser.add_argument("--cards", type=int, default=10)
    args = parser.parse_args()
    session = harness.fresh_database(DBNAME, ADDONS)
    registry = harness.registry(session, DBNAME)
    total = args.clients * args.orders
    balance = round(total * 60.0 * 0.6 / args.cards, 2)  # the cards cover 60 % of what is asked
    with harness.environment(registry) as env:
        shop = set_up_shop(env, "Contention", card_holders=args.cards, card_balance=balance)
        uid, sessions = add_terminals(env, shop, args.clients - 1, LOGIN, PASSWORD)

    with harness.serve(session, DBNAME, workers=4) as client:
        print(f"{args.clients} terminals × {args.orders} card payments on {args.cards} cards ...", flush=True)
        # Spawned, not forked: a forked child would share, and on exit close, this process's database connections.
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        processes = [
            context.Process(target=terminal, args=(client, shop, sessions[index], uid, args.orders, index, queue))
            for index in range(args.clients)
        ]
        start = time.perf_counter()
        for process in processes:
            process.start()
        results = [result for _process in processes for result in queue.get()]
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - start

    with harness.environment(registry) as env:
        cards = env["stored.value.card"].browse(shop["cards"])
        payments = env["pos.payment"].search([("stored_value_card_id", "in", cards.ids)])
        booked = payments.filtered(lambda payment: payment.stored_value_state == "booked")
        spends = env["stored.value.ledger"].search_count([("card_id", "in", cards.ids), ("entry_type", "=", "spend")])
        overdrawn = len(cards.filtered(lambda card: card.currency_id.compare_amounts(card.balance, 0) < 0))
        mismatches = len(cards._ledger_discrepancies())
        orders = env["pos.order"].search_count([("session_id", "in", sessions)])

    latencies = [seconds for seconds, _error in results]
    errors = [error for _seconds, error in results if error]
    harness.report("orders synced", total)
    harness.report("orders saved", orders)
    harness.report("orders refused once and sent again", len(errors))
    harness.report("card payments booked", len(booked))
    harness.report("card payments flagged (card no longer covered them)", len(payments) - len(booked))
    harness.report("spend entries in the ledgers", spends)
    harness.report("cards overdrawn", overdrawn, "", "0")
    harness.report("cards whose ledger sum differs from the balance", mismatches, "", "0")
    harness.report("throughput", total / elapsed, "orders/s")
    harness.report("latency p50", median(latencies) * 1000, "ms")
    harness.report("latency p95", percentile(latencies, 0.95) * 1000, "ms")
    harness.print_results(f"Wallet contention: {args.clients} clients × {args.orders} orders, 4 workers")
    if errors:
        print("First errors:", *sorted(set(errors))[:5], sep="\n  ")
    if overdrawn or mismatches or spends != len(booked) or orders != total:
        raise SystemExit("FAILED: the wallets are not consistent (see above)")


if __name__ == "__main__":
    main("bench.wallet_contention", run)
