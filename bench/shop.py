"""A POS shop built in a benchmark database, and orders as the POS sends them to ``sync_from_ui``.

Odoo is imported inside the functions: a benchmark imports this module before :func:`bench.harness.main`
has found Odoo (``ODOO_PATH`` makes it importable only in the process the harness starts again).
"""

import uuid

PRODUCT_PRICES = (12.0, 30.0, 18.0)  # a 3-line order of 60.00, no tax


def set_up_shop(env, name, card_holders=0, card_balance=0.0, loyalty=False):
    """Products, a shop with cash (and, when the suite is installed, stored value), an open session."""
    from odoo import fields

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
    products = env["product.product"].create(
        [
            {"name": f"{name} item {index}", "list_price": price, "available_in_pos": True, "taxes_id": False}
            for index, price in enumerate(PRODUCT_PRICES)
        ]
    )
    cash_journal = env["account.journal"].search([("type", "=", "cash"), ("company_id", "=", company.id)], limit=1)
    cash = env["pos.payment.method"].create({"name": f"{name} cash", "journal_id": cash_journal.id})
    methods = cash
    if "stored.value.card" in env:
        company._stored_value_setup_accounting()
        methods |= company._stored_value_pos_payment_method()
    config = env["pos.config"].create({"name": name, "payment_method_ids": [fields.Command.set(methods.ids)]})
    config.with_user(env.ref("base.user_admin")).open_ui()
    session = config.current_session_id
    shop = {
        "config": config.id,
        "session": session.id,
        "products": products.ids,
        "cash": cash.id,
        "card_method": methods[1:].id,
        "holders": [],
        "cards": [],
        "program": None,
        "loyalty_cards": [],
    }
    if card_holders or loyalty:
        holders = env["res.partner"].create(
            [
                {"name": f"{name} member {index}", "email": f"member{index}@{name.lower()}.example.com"}
                for index in range(card_holders or 1)
            ]
        )
        shop["holders"] = holders.ids
    if card_holders and "stored.value.card" in env:
        cards = env["stored.value.card"].create([{"partner_id": holder.id} for holder in holders])
        for card in cards:
            card._credit_top_up(card_balance, f"bench/{card.id}/top-up", source_ref=f"stored.value.card,{card.id}")
        shop["cards"] = cards.ids
    if loyalty:
        program = env["loyalty.program"].create(
            {
                "name": f"{name} points",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "pos_ok": True,
                "pos_config_ids": [fields.Command.link(config.id)],
                "rule_ids": [fields.Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [
                    fields.Command.create({"reward_type": "discount", "discount": 5, "required_points": 100})
                ],
            }
        )
        if "loyalty.tier" in env:
            # As a shop of the suite runs it: points expire after a year, tiers multiply them, and one
            # purchase in ten invites its customer to the NPS survey by email.
            program.point_validity_months = 12
            env["loyalty.tier"].create(
                [
                    {"name": "Member", "program_id": program.id, "sequence": 1, "min_spend": 0},
                    {
                        "name": "Silver",
                        "program_id": program.id,
                        "sequence": 2,
                        "min_spend": 1000,
                        "point_multiplier": 1.5,
                    },
                    {"name": "Gold", "program_id": program.id, "sequence": 3, "min_spend": 5000, "point_multiplier": 2},
                ]
            )
        if "customer.feedback.invitation.rule" in env:
            env["customer.feedback.invitation.rule"].create(
                {
                    "name": f"{name} NPS",
                    "survey_id": env.ref("customer_feedback.survey_nps").id,
                    "purchase_type": "pos_order",
                    "channel": "email",
                    "every_nth": 10,
                }
            )
        loyalty_cards = env["loyalty.card"].create(
            [{"program_id": program.id, "partner_id": holder.id, "points": 0} for holder in holders]
        )
        shop["program"], shop["loyalty_cards"] = program.id, loyalty_cards.ids
    return shop


def add_past_history(env, shop, rows):
    """``rows`` past orders' movements, as a shop open for a year or two holds them: ten a customer, on the
    cards of ``rows // 10`` past customers, in the points history of the shop's loyalty programme and, with
    the suite, in the stored-value ledger.

    A search that no index serves reads such tables whole at every order; in a new database it costs nothing.
    The rows name orders that are not there: nothing reads them but those searches.
    """
    from odoo.tools import SQL

    cr = env.cr
    customers = max(rows // 10, 1)
    if shop["program"]:
        cr.execute(
            SQL(
                """WITH card AS (
                       INSERT INTO loyalty_card (program_id, company_id, code, points, active,
                                                 create_uid, create_date, write_uid, write_date)
                       SELECT %(program)s, program.company_id, 'PAST-' || n, 0, TRUE, 1, now(), 1, now()
                         FROM generate_series(1, %(customers)s) n, loyalty_program program
                        WHERE program.id = %(program)s
                       RETURNING id)
                   INSERT INTO loyalty_history (card_id, order_model, order_id, description, issued, used,
                                                create_uid, create_date, write_uid, write_date)
                   SELECT card.id, 'pos.order', -(card.id * 10 + n), 'past order', 10, 0,
                          1, now() - interval '1 year', 1, now() - interval '1 year'
                     FROM card, generate_series(1, 10) n""",
                program=shop["program"],
                customers=customers,
            )
        )
        cr.execute("ANALYZE loyalty_card")
        cr.execute("ANALYZE loyalty_history")
    if shop["cards"]:
        past = env["res.partner"].create({"name": "Bench past customers"})
        cr.execute(
            SQL(
                """WITH card AS (
                       INSERT INTO stored_value_card (name, partner_id, company_id, currency_id, state,
                                                      principal_balance, bonus_balance, balance,
                                                      create_uid, create_date, write_uid, write_date)
                       SELECT 'PAST-' || n, %(partner)s, company.id, company.currency_id, 'active', 0, 0, 0,
                              1, now(), 1, now()
                         FROM generate_series(1, %(customers)s) n, res_company company
                        WHERE company.id = %(company)s
                       RETURNING id, partner_id, company_id, currency_id)
                   INSERT INTO stored_value_ledger (name, card_id, partner_id, company_id, currency_id, entry_type,
                                                    principal_amount, bonus_amount, amount,
                                                    principal_balance_after, bonus_balance_after, balance_after,
                                                    date, user_id, idempotency_key, source_ref,
                                                    create_uid, create_date, write_uid, write_date)
                   SELECT 'PAST/' || card.id || '/' || n, card.id, card.partner_id, card.company_id,
                          card.currency_id, 'spend', 0, 0, 0, 0, 0, 0, now() - interval '1 year', 1,
                          'bench/past/' || card.id || '/' || n, 'pos.order,' || -(card.id * 10 + n),
                          1, now() - interval '1 year', 1, now() - interval '1 year'
                     FROM card, generate_series(1, 10) n""",
                partner=past.id,
                company=env.company.id,
                customers=customers,
            )
        )
        cr.execute("ANALYZE stored_value_card")
        cr.execute("ANALYZE stored_value_ledger")


def add_terminals(env, shop, count, login, password):
    """``count`` more terminals (a config and an open session each) of the shop, and a cashier to use them."""
    from odoo import fields

    config = env["pos.config"].browse(shop["config"])
    cashier = env["res.users"].create(
        {
            "name": "Bench Cashier",
            "login": login,
            "password": password,
            "group_ids": [
                fields.Command.link(env.ref("base.group_user").id),
                fields.Command.link(env.ref("point_of_sale.group_pos_user").id),
            ],
        }
    )
    sessions = [shop["session"]]
    for index in range(count):
        terminal = config.copy({"name": f"{config.name} terminal {index + 2}"})
        terminal.with_user(cashier).open_ui()
        sessions.append(terminal.current_session_id.id)
    return cashier.id, sessions


def order_payload(shop, payments, partner_id=None, order_uuid=None):
    """The dictionary the POS sends for one 3-line order; ``payments``: ``[(method_id, amount, values)]``."""
    from odoo import fields

    order_uuid = order_uuid or str(uuid.uuid4())
    lines = [
        {
            "product_id": product_id,
            "qty": 1,
            "price_unit": price,
            "price_subtotal": price,
            "price_subtotal_incl": price,
            "discount": 0.0,
            "tax_ids": [(6, 0, [])],
            "uuid": str(uuid.uuid4()),
        }
        for product_id, price in zip(shop["products"], PRODUCT_PRICES, strict=True)
    ]
    total = sum(PRODUCT_PRICES)
    return {
        "uuid": order_uuid,
        "name": f"Bench {order_uuid[:8]}",
        "session_id": shop["session"],
        "partner_id": partner_id or False,
        "amount_paid": total,
        "amount_return": 0.0,
        "amount_tax": 0.0,
        "amount_total": total,
        "date_order": fields.Datetime.to_string(fields.Datetime.now()),
        "last_order_preparation_change": "{}",
        "lines": [(0, 0, line) for line in lines],
        "payment_ids": [
            (0, 0, {"payment_method_id": method, "amount": amount, "uuid": str(uuid.uuid4()), **values})
            for method, amount, values in payments
        ],
    }
