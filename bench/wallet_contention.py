"""Wallet contention: terminals paying from stored-value cards at once, through a real server.

``odoo-bin --workers 4`` serves a fresh database; 8 client processes each sync POS orders over JSON-RPC
(``pos.order.sync_from_ui``, what the POS calls), in two runs:

- *busy cards*: 200 orders per terminal paid from one of 10 shared cards, which hold less than all the
  orders ask, so late payments must be flagged, never overdrawn;
- *counter*: 200 orders per terminal from 1,000 customers, 5 % of them coming back within a minute,
  paid from their card, and the same orders paid in cash; the card run's throughput and p95 are
  compared with the cash run's.

Prints throughput and latency, then checks: no card below zero, every ledger sum equal to its card's
balance, one spend per booked payment, every order saved.

    make bench-contention [ORDERS=200]
"""

import argparse
import multiprocessing
import random
import time

from .harness import RpcError, main, median, percentile
from .shop import add_terminals, order_payload, set_up_shop

DBNAME = "stored_value_bench_contention"
ADDONS = ["stored_value_crm"]
PASSWORD = "bench-cashier-password"
REPEAT_SHARE = 0.05  # customers of the counter run who come back within a minute
RECENT = 40  # "within a minute": among the last orders of all terminals (about a minute at the counter's pace)


def terminal(client, shop, session_id, uid, plan, queue):
    """One terminal's orders, one after the other: (seconds until saved, first refusal if any) per order.

    ``plan`` lists ``(card id or None for cash, customer id)`` per order.
    """
    terminal_shop = {**shop, "session": session_id}
    results = []
    for card, partner in plan:
        method, values = (shop["card_method"], {"stored_value_card_id": card}) if card else (shop["cash"], {})
        payments = [(method, 60.0, values)]
        payload = order_payload(terminal_shop, payments, partner_id=partner)
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


def run_terminals(client, shop, sessions, uid, plans):
    """Run one terminal process per plan at once; return their results and the seconds they took."""
    # Spawned, not forked: a forked child would share, and on exit close, this process's database connections.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=terminal, args=(client, shop, sessions[index], uid, plan, queue))
        for index, plan in enumerate(plans)
    ]
    start = time.perf_counter()
    for process in processes:
        process.start()
    results = [result for _process in processes for result in queue.get()]
    for process in processes:
        process.join()
    return results, time.perf_counter() - start


def busy_plans(shop, clients, orders):
    """Each terminal turns through the 10 shared cards from its own starting point."""
    cards = shop["cards"]
    plans = []
    for seed in range(clients):
        picks = [cards[(seed * 7 + index * 3) % len(cards)] for index in range(orders)]
        plans.append([(card, shop["holders"][cards.index(card)]) for card in picks])
    return plans


def counter_plans(shop, clients, orders, cash=False):
    """Customers in a seeded random order, 5 % of them coming back soon after their last visit; the
    orders go round the terminals as they arrive. ``cash``: the same customers pay in cash."""
    rng = random.Random(2026)
    customers = list(range(len(shop["cards"])))
    rng.shuffle(customers)
    arrivals, fresh = [], iter(customers * (1 + clients * orders // len(customers)))
    for _index in range(clients * orders):
        recent = arrivals[-RECENT:]
        arrivals.append(rng.choice(recent) if recent and rng.random() < REPEAT_SHARE else next(fresh))
    plans = [[] for _client in range(clients)]
    for index, customer in enumerate(arrivals):
        card = None if cash else shop["cards"][customer]
        plans[index % clients].append((card, shop["holders"][customer]))
    return plans


def check_wallets(env, shop, sessions):
    """``(overdrawn cards, ledger mismatches, spends, booked and all card payments, orders saved)``."""
    cards = env["stored.value.card"].browse(shop["cards"])
    payments = env["pos.payment"].search([("stored_value_card_id", "in", cards.ids)])
    booked = payments.filtered(lambda payment: payment.stored_value_state == "booked")
    spends = env["stored.value.ledger"].search_count([("card_id", "in", cards.ids), ("entry_type", "=", "spend")])
    overdrawn = len(cards.filtered(lambda card: card.currency_id.compare_amounts(card.balance, 0) < 0))
    mismatches = len(cards._ledger_discrepancies())
    orders = env["pos.order"].search_count([("session_id", "in", sessions)])
    return overdrawn, mismatches, spends, len(booked), len(payments), orders


def report_run(harness, name, results, elapsed, p95_goal=None):
    """Report a run's refusals, throughput and latency; return ``(orders per second, p95 seconds)``."""
    latencies = [seconds for seconds, _error in results]
    harness.report(f"{name}: orders refused once and sent again", len([1 for _s, error in results if error]))
    harness.report(f"{name}: throughput", len(results) / elapsed, "orders/s")
    harness.report(f"{name}: latency p50", median(latencies) * 1000, "ms")
    harness.report(f"{name}: latency p95", percentile(latencies, 0.95) * 1000, "ms", p95_goal)
    return len(results) / elapsed, percentile(latencies, 0.95)


def run(harness):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orders", type=int, default=200, help="orders per client and run")
    parser.add_argument("--cards", type=int, default=10, help="shared cards of the busy run")
    parser.add_argument("--customers", type=int, default=1000, help="customers of the counter run")
    args = parser.parse_args()
    session = harness.fresh_database(DBNAME, ADDONS)
    registry = harness.registry(session, DBNAME)
    total = args.clients * args.orders
    balance = round(total * 60.0 * 0.6 / args.cards, 2)  # the busy cards cover 60 % of what is asked
    with harness.environment(registry) as env:
        busy = set_up_shop(env, "Contention", card_holders=args.cards, card_balance=balance)
        uid, busy_sessions = add_terminals(env, busy, args.clients - 1, "bench_cashier", PASSWORD)
    print(f"Issuing {args.customers} cards for the counter run ...", flush=True)
    with harness.environment(registry) as env:
        counter = set_up_shop(env, "Counter", card_holders=args.customers, card_balance=total * 60.0)
        counter_uid, counter_sessions = add_terminals(env, counter, args.clients - 1, "counter_cashier", PASSWORD)

    with harness.serve(session, DBNAME, workers=4) as client:
        print(f"Busy cards: {args.clients} terminals × {args.orders} card payments on {args.cards} cards ...")
        busy_results, busy_elapsed = run_terminals(
            client, busy, busy_sessions, uid, busy_plans(busy, args.clients, args.orders)
        )
        print(f"Counter: {args.clients} terminals × {args.orders} orders of {args.customers} customers, cash ...")
        cash_results, cash_elapsed = run_terminals(
            client, counter, counter_sessions, counter_uid, counter_plans(counter, args.clients, args.orders, True)
        )
        print("Counter: the same, paid from the customers' cards ...", flush=True)
        card_results, card_elapsed = run_terminals(
            client, counter, counter_sessions, counter_uid, counter_plans(counter, args.clients, args.orders)
        )

    with harness.environment(registry) as env:
        busy_check = check_wallets(env, busy, busy_sessions)
        counter_check = check_wallets(env, counter, counter_sessions)
    overdrawn, mismatches, spends, booked, payments, orders = busy_check
    harness.report("busy cards: orders synced", total)
    harness.report("busy cards: orders saved", orders)
    harness.report("busy cards: card payments booked", booked)
    harness.report("busy cards: card payments flagged (card no longer covered them)", payments - booked)
    harness.report("busy cards: spend entries in the ledgers", spends)
    harness.report("busy cards: cards overdrawn", overdrawn, "", "0")
    harness.report("busy cards: cards whose ledger sum differs from the balance", mismatches, "", "0")
    report_run(harness, "busy cards", busy_results, busy_elapsed, "≤ 1,500 ms")
    cash_throughput, cash_p95 = report_run(harness, "counter, cash", cash_results, cash_elapsed)
    card_throughput, card_p95 = report_run(harness, "counter, cards", card_results, card_elapsed)
    c_overdrawn, c_mismatches, c_spends, c_booked, c_payments, c_orders = counter_check
    harness.report("counter: card payments booked", c_booked)
    harness.report("counter: card payments flagged", c_payments - c_booked, "", "0")
    harness.report("counter: cards overdrawn", c_overdrawn, "", "0")
    harness.report("counter: cards whose ledger sum differs from the balance", c_mismatches, "", "0")
    harness.report("ratio counter throughput, cards / cash", card_throughput / cash_throughput, "×", "≥ 0.9×")
    harness.report("ratio counter p95, cards / cash", card_p95 / cash_p95, "×", "≤ 1.2×")
    harness.print_results(f"Wallet contention: {args.clients} clients × {args.orders} orders per run, 4 workers")
    errors = sorted({error for _s, error in busy_results + cash_results + card_results if error})
    if errors:
        print("First errors:", *errors[:5], sep="\n  ")
    if (
        overdrawn
        or mismatches
        or spends != booked
        or orders != total
        or c_overdrawn
        or c_mismatches
        or c_spends != c_booked
        or c_orders != 2 * total
        or c_booked != total
    ):
        raise SystemExit("FAILED: the wallets are not consistent (see above)")


if __name__ == "__main__":
    main("bench.wallet_contention", run)
