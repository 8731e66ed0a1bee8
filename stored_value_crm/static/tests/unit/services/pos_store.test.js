import { describe, expect, test } from "@odoo/hoot";
import { waitUntil } from "@odoo/hoot-dom";
import { MockServer, makeServerError, onRpc, patchWithCleanup } from "@web/../tests/web_test_helpers";
import { AlertDialog, ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { NumberPopup } from "@point_of_sale/app/components/popups/number_popup/number_popup";
import { SelectionPopup } from "@point_of_sale/app/components/popups/selection_popup/selection_popup";
import { answerDialogs, goOffline } from "@stored_value_crm/../tests/unit/utils";
import { posCustomer } from "@stored_value_crm/../tests/unit/data/res_partner.data";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

definePosModels();

const WANG_FANG = 101; // one active card (#1, 100.00)
const LI_LEI = 102; // an active card with a PIN (#2, 50.00) and a frozen one (#3, 30.00)
const ZHAO_MIN = 103; // no card
const CHEN_JIE = 104; // a closed card (#4) and an active one (#5, 20.50)
const TOP_UP = 150; // the card top-up product

function orderOf(store, partnerId) {
    const order = store.addNewOrder();
    if (partnerId) {
        order.setPartner(store.models["res.partner"].get(partnerId));
    }
    return order;
}

describe("cards in the store", () => {
    test("the card payment method is the one marked as stored value", async () => {
        const store = await setupPosEnv();
        expect(store.storedValueMethod.name).toBe("Stored-Value Card");
    });

    test("a customer's cards are the active and frozen ones, never a closed one", async () => {
        const store = await setupPosEnv();
        const partners = store.models["res.partner"];
        expect(store.storedValueCardsOf(partners.get(LI_LEI)).map((card) => card.id)).toEqual([2, 3]);
        expect(store.storedValueCardsOf(partners.get(CHEN_JIE)).map((card) => card.id)).toEqual([5]);
        expect(store.storedValueCardsOf(partners.get(ZHAO_MIN))).toEqual([]);
        expect(store.storedValueCardsOf(null)).toEqual([]);
    });

    test("a card is shown by the last four digits of its number only", async () => {
        const store = await setupPosEnv();
        const card = store.models["stored.value.card"].get(1);
        expect(store.storedValueCardLabel(card)).toBe("Card •••• 1234");
    });
});

describe("what stops a card from paying", () => {
    test("a frozen card is refused with what to do about it", async () => {
        const store = await setupPosEnv();
        const frozen = store.models["stored.value.card"].get(3);
        expect(store.storedValueProblem(frozen, 10)).toBe(
            "Card •••• 9012 is frozen: ask a manager to unfreeze it."
        );
    });

    test("a closed card is refused", async () => {
        const store = await setupPosEnv();
        const closed = store.models["stored.value.card"].get(4);
        expect(store.storedValueProblem(closed, 0.01)).toBe(
            "Card •••• 3456 cannot pay: it is not active."
        );
    });

    test("a card cannot pay more than its balance, shown in the currency", async () => {
        const store = await setupPosEnv();
        const card = store.models["stored.value.card"].get(5);
        expect(store.storedValueProblem(card, 20.51)).toMatch(
            /^Card •••• 7890 holds \$\s20\.50, less than the \$\s20\.51 asked\.$/
        );
    });

    test("the whole balance, or less than a cent more, can be paid", async () => {
        const store = await setupPosEnv();
        const card = store.models["stored.value.card"].get(5);
        expect(store.storedValueProblem(card, 20.5)).toBe(null);
        expect(store.storedValueProblem(card, 20.504)).toBe(null);
        expect(store.storedValueProblem(card, 5)).toBe(null);
    });
});

describe("which card a payment or top-up uses", () => {
    test("without a customer the cashier is asked to choose one", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        expect(await store.chooseStoredValueCard(orderOf(store, null))).toBe(null);
        expect(dialogs).toHaveLength(1);
        expect(dialogs[0].component).toBe(AlertDialog);
        expect(dialogs[0].props.title).toBe("Customer needed");
    });

    test("the only card of the customer is taken without asking", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const card = await store.chooseStoredValueCard(orderOf(store, WANG_FANG));
        expect(card.id).toBe(1);
        expect(dialogs).toHaveLength(0);
    });

    test("the scanned card is taken although the customer has several", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = orderOf(store, LI_LEI);
        order.uiState.storedValueCardId = 3;
        expect((await store.chooseStoredValueCard(order)).id).toBe(3);
        expect(dialogs).toHaveLength(0);
    });

    test("with several cards the cashier picks one, seeing each balance", async () => {
        const store = await setupPosEnv();
        const cards = store.models["stored.value.card"];
        const dialogs = answerDialogs(store, () => cards.get(2));
        expect((await store.chooseStoredValueCard(orderOf(store, LI_LEI))).id).toBe(2);
        expect(dialogs).toHaveLength(1);
        expect(dialogs[0].component).toBe(SelectionPopup);
        const labels = dialogs[0].props.list.map((item) => item.label);
        expect(labels).toHaveLength(2);
        expect(labels[0]).toMatch(/^Card •••• 5678 · \$\s50\.00$/);
        expect(labels[1]).toMatch(/^Card •••• 9012 · \$\s30\.00$/);
    });

    test("closing the card list chooses no card", async () => {
        const store = await setupPosEnv();
        answerDialogs(store);
        expect(await store.chooseStoredValueCard(orderOf(store, LI_LEI))).toBe(undefined);
    });

    test("a customer without a card is told so", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        expect(await store.chooseStoredValueCard(orderOf(store, ZHAO_MIN))).toBe(null);
        expect(dialogs).toHaveLength(1);
        expect(dialogs[0].props.title).toBe("No stored-value card");
        expect(dialogs[0].props.body).toBe("Zhao Min has no usable stored-value card.");
    });

    test("a refund goes back to the card that paid, without asking", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const payer = store.models["stored.value.card"].get(3);
        const card = await store.chooseStoredValueCard(orderOf(store, LI_LEI), { refundOf: payer });
        expect(card).toBe(payer);
        expect(dialogs).toHaveLength(0);
    });

    test("the balance is read fresh from the server", async () => {
        const store = await setupPosEnv();
        MockServer.env["stored.value.card"].write([1], { balance: 42 });
        const card = await store.chooseStoredValueCard(orderOf(store, WANG_FANG));
        expect(card.balance).toBe(42);
    });

    test("offline, the cards the terminal knows are used", async () => {
        const store = await setupPosEnv();
        const order = orderOf(store, WANG_FANG);
        await goOffline(store);
        expect((await store.chooseStoredValueCard(order)).id).toBe(1);
    });
});

describe("scanning and choosing a customer", () => {
    test("a scanned card selects its holder and tells the balance", async () => {
        const store = await setupPosEnv();
        const notes = [];
        patchWithCleanup(store.notification, { add: (message) => notes.push(message) });
        const order = orderOf(store, null);
        await store.selectStoredValueCard(store.models["stored.value.card"].get(2));
        expect(order.getPartner().id).toBe(LI_LEI);
        expect(order.uiState.storedValueCardId).toBe(2);
        expect(notes).toHaveLength(1);
        expect(notes[0]).toMatch(/^Card •••• 5678 of Li Lei: balance \$\s50\.00$/);
    });

    test("choosing a customer brings their cards from the server", async () => {
        const asked = [];
        onRpc("stored.value.card", "pos_search_cards", ({ kwargs }) => {
            asked.push(kwargs.partner_id);
        });
        const store = await setupPosEnv();
        store.addNewOrder();
        store.setPartnerToCurrentOrder(store.models["res.partner"].get(WANG_FANG));
        await waitUntil(() => asked.length);
        expect(asked).toEqual([WANG_FANG]);
    });
});

describe("selling a top-up", () => {
    function topUpAnswers(typed, confirmed = true) {
        return (component) => {
            if (component === NumberPopup) {
                return typed;
            }
            if (component === ConfirmationDialog) {
                return confirmed;
            }
        };
    }

    test("another product is added as usual", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = orderOf(store, WANG_FANG);
        const line = await store.addLineToOrder({ product_tmpl_id: store.models["product.template"].get(5) }, order);
        expect(line.product_id.id).toBe(5);
        expect(line.stored_value_card_id).toBe(undefined);
        expect(dialogs).toHaveLength(0);
    });

    test("the cashier sees the bonus before the top-up line credits the card", async () => {
        const previews = [];
        onRpc("stored.value.card", "pos_top_up_preview", ({ args }) => {
            previews.push(args);
            return { bonus: 5, rules: ["Top up 50, get 5"], balance_after: 155 };
        });
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, topUpAnswers("50"));
        const order = orderOf(store, WANG_FANG);
        const line = await store.addLineToOrder({ product_tmpl_id: TOP_UP }, order);
        expect(previews).toEqual([[[1], 50]]);
        expect(dialogs.map((dialog) => dialog.component)).toEqual([NumberPopup, ConfirmationDialog]);
        expect(dialogs[0].props.title).toBe("Top up Card •••• 1234");
        expect(dialogs[1].props.body).toMatch(
            /^Bonus \$\s5\.00 \(Top up 50, get 5\)\. New balance \$\s155\.00\.$/
        );
        expect(order.lines).toEqual([line]);
        expect(line.stored_value_card_id.id).toBe(1);
        expect(line.price_unit).toBe(50);
        expect(line.customer_note).toMatch(/^Card •••• 1234, bonus \$\s5\.00$/);
    });

    test("the cashier sees what else the rule gives (a gift pack), also without money bonus", async () => {
        const previews = [
            { bonus: 5, rules: ["Pack"], gifts: ["200 points (Points)", "1 × Free Coffee (Coupons)"] },
            { bonus: 0, rules: ["Points only"], gifts: ["300 points (Points)"] },
        ];
        onRpc("stored.value.card", "pos_top_up_preview", () => ({ ...previews.shift(), balance_after: 155 }));
        const store = await setupPosEnv();
        const bodies = [];
        for (let attempt = 0; attempt < 2; attempt++) {
            const dialogs = answerDialogs(store, topUpAnswers("50"));
            await store.addLineToOrder({ product_tmpl_id: TOP_UP }, orderOf(store, WANG_FANG));
            bodies.push(dialogs[1].props.body);
        }
        expect(bodies[0]).toMatch(
            /^Bonus \$\s5\.00 \(Pack\)\. Also given: 200 points \(Points\), 1 × Free Coffee \(Coupons\)\. New balance \$\s155\.00\.$/
        );
        expect(bodies[1]).toMatch(
            /^Bonus \$\s0\.00 \(Points only\)\. Also given: 300 points \(Points\)\. New balance \$\s155\.00\.$/
        );
    });

    test("without a bonus the line names the card only", async () => {
        onRpc("stored.value.card", "pos_top_up_preview", () => ({
            bonus: 0,
            rules: [],
            balance_after: 130,
        }));
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, topUpAnswers("30"));
        const line = await store.addLineToOrder({ product_tmpl_id: TOP_UP }, orderOf(store, WANG_FANG));
        expect(dialogs[1].props.body).toMatch(/^No bonus applies to this amount\. New balance \$\s130\.00\.$/);
        expect(line.customer_note).toBe("Card •••• 1234");
    });

    test("offline the top-up is still sold, its bonus left to the server", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, topUpAnswers("20"));
        const order = orderOf(store, WANG_FANG);
        await goOffline(store);
        const line = await store.addLineToOrder({ product_tmpl_id: TOP_UP }, order);
        expect(dialogs[1].props.body).toBe("Offline: the bonus is added when the order reaches the server.");
        expect(line.price_unit).toBe(20);
        expect(line.stored_value_card_id.id).toBe(1);
    });

    test("a top-up the server refuses adds no line and says why", async () => {
        onRpc("stored.value.card", "pos_top_up_preview", () => {
            throw makeServerError({ message: "Card 880000001234 is frozen." });
        });
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, topUpAnswers("20"));
        const order = orderOf(store, WANG_FANG);
        expect(await store.addLineToOrder({ product_tmpl_id: TOP_UP }, order)).toBe(undefined);
        expect(order.lines).toHaveLength(0);
        expect(dialogs.at(-1).component).toBe(AlertDialog);
        expect(dialogs.at(-1).props.title).toBe("Top-up refused");
        expect(dialogs.at(-1).props.body).toBe("Card 880000001234 is frozen.");
    });

    test("no line for a zero amount, a cancelled amount or a cancelled confirmation", async () => {
        onRpc("stored.value.card", "pos_top_up_preview", () => ({ bonus: 0, rules: [], balance_after: 100 }));
        const store = await setupPosEnv();
        const order = orderOf(store, WANG_FANG);
        for (const [typed, confirmed] of [["0", true], [undefined, true], ["10", false]]) {
            answerDialogs(store, topUpAnswers(typed, confirmed));
            expect(await store.addLineToOrder({ product_tmpl_id: TOP_UP }, order)).toBe(undefined);
        }
        expect(order.lines).toHaveLength(0);
    });

    test("a top-up needs a card: none is sold to a customer without one", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, topUpAnswers("20"));
        const order = orderOf(store, ZHAO_MIN);
        expect(await store.addLineToOrder({ product_tmpl_id: TOP_UP }, order)).toBe(undefined);
        expect(order.lines).toHaveLength(0);
        expect(dialogs.map((dialog) => dialog.props.title)).toEqual(["No stored-value card"]);
    });
});

describe("opening a member card at the counter", () => {
    const MEMBER = {
        name: "Zhang Wei",
        phone: "138 1234 5678",
        email: false,
        consent: { email: false, sms: true, phone: false },
        stock_number: false,
    };
    const NEW_CARD = {
        id: 30,
        name: "880000003030",
        partner_id: 201,
        state: "active",
        currency_id: 1,
        balance: 0,
        principal_balance: 0,
        bonus_balance: 0,
        has_pin: true,
        write_date: "2026-01-05 10:00:00",
    };
    /** The cashier's answers: the member form, the PIN pad (typed in turn), the confirmations. */
    function counter({ member = MEMBER, pins = [""], serve = true, topUp = undefined } = {}) {
        const typed = [...pins];
        return (component, props) => {
            if (component === StoredValueMemberPopup) {
                return member;
            }
            if (component === NumberPopup) {
                return props.title.startsWith("Top up") ? topUp : typed.shift();
            }
            if (component === ConfirmationDialog) {
                return serve;
            }
        };
    }
    function newMemberOnServer(calls) {
        onRpc("res.partner", "pos_find_member", ({ args }) => {
            calls.push(["find", args[1]]);
            return { phone: "+8613812345678", partner_id: false, records: {} };
        });
        onRpc("res.partner", "pos_open_member", ({ args, kwargs }) => {
            calls.push(["open", args[1], kwargs]);
            return {
                status: "opened",
                partner_id: 201,
                card_id: 30,
                records: {
                    "res.partner": [posCustomer(201, "Zhang Wei", "+8613812345678")],
                    "stored.value.card": [NEW_CARD],
                },
            };
        });
    }

    test("a new customer gets a card with the PIN typed twice, selected for the top-up that follows", async () => {
        const calls = [];
        newMemberOnServer(calls);
        const store = await setupPosEnv();
        patchWithCleanup(store.notification, { add: () => {} });
        const dialogs = answerDialogs(store, counter({ pins: ["2468", "2468"] }));
        const order = orderOf(store, null);
        const card = await store.openStoredValueMember();
        expect(card.id).toBe(30);
        expect(order.getPartner().name).toBe("Zhang Wei");
        expect(order.uiState.storedValueCardId).toBe(30);
        expect(calls[0]).toEqual(["find", "138 1234 5678"]);
        expect(calls[1][1]).toEqual(MEMBER);
        expect([calls[1][2].pin, calls[1][2].partner_id]).toEqual(["2468", null]);
        // The first top-up is offered at once; the cashier may skip it.
        expect(dialogs.at(-1).props.title).toBe("Top up Card •••• 3030");
    });

    test("an empty PIN opens a card without PIN; PINs that differ are typed again", async () => {
        const calls = [];
        newMemberOnServer(calls);
        const store = await setupPosEnv();
        const notes = [];
        patchWithCleanup(store.notification, { add: (message) => notes.push(message) });
        answerDialogs(store, counter({ pins: ["12", "1357", "1358", "1357", "1357"] }));
        orderOf(store, null);
        await store.openStoredValueMember();
        expect(calls[1][2].pin).toBe("1357");
        expect(notes.slice(0, 2).map(String)).toEqual([
            "A PIN is 4 to 8 digits.",
            "The two PINs differ: type the PIN again.",
        ]);

        answerDialogs(store, counter({ pins: [""] }));
        orderOf(store, null);
        await store.openStoredValueMember();
        expect(calls.at(-1)[2].pin).toBe(null);
    });

    test("a mobile a customer already has serves that customer and their card, opening nothing", async () => {
        const calls = [];
        onRpc("res.partner", "pos_find_member", () => ({
            phone: "+8613800000101",
            partner_id: 101,
            records: {},
        }));
        onRpc("res.partner", "pos_open_member", () => calls.push("open"));
        const store = await setupPosEnv();
        patchWithCleanup(store.notification, { add: () => {} });
        const dialogs = answerDialogs(store, counter());
        const order = orderOf(store, null);
        const card = await store.openStoredValueMember();
        expect(card.id).toBe(1);
        expect(order.getPartner().id).toBe(WANG_FANG);
        expect(calls).toEqual([]);
        const question = dialogs.find((dialog) => dialog.component === ConfirmationDialog);
        expect(question.props.title).toBe("Wang Fang has this mobile");

        answerDialogs(store, counter({ serve: false }));
        const other = orderOf(store, null);
        expect(await store.openStoredValueMember()).toBe(null);
        expect(other.getPartner()).toBe(undefined);
    });

    test("the reason the server refuses is shown, and nothing is opened", async () => {
        onRpc("res.partner", "pos_find_member", () => {
            throw makeServerError({ message: "12 is not a valid mobile number of China." });
        });
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, counter());
        const order = orderOf(store, null);
        expect(await store.openStoredValueMember()).toBe(null);
        expect(dialogs.at(-1).component).toBe(AlertDialog);
        expect(dialogs.at(-1).props.body).toBe("12 is not a valid mobile number of China.");
        expect(order.getPartner()).toBe(undefined);
    });

    test("offline, the order carries the member and its top-up credits the card opened at sync", async () => {
        const store = await setupPosEnv();
        patchWithCleanup(store.notification, { add: () => {} });
        const dialogs = answerDialogs(store, counter({ topUp: "50" }));
        const order = orderOf(store, null);
        await goOffline(store);
        const card = await store.openStoredValueMember();
        expect(card.pending).toBe(true);
        expect(order.stored_value_new_member).toEqual(MEMBER);
        const [line] = order.lines;
        expect(line.price_unit).toBe(50);
        expect(line.stored_value_opens_card).toBe(true);
        expect(line.stored_value_card_id).toBe(undefined);
        expect(dialogs.find((dialog) => dialog.component === NumberPopup).props.title).toBe(
            "Top up the new card of Zhang Wei"
        );
    });
});

describe("a lost, stolen or damaged card", () => {
    test("reported lost, the card is frozen at once with the reason chosen", async () => {
        const reported = [];
        onRpc("stored.value.card", "pos_report_lost", ({ args }) => {
            reported.push(args);
            MockServer.env["stored.value.card"].write(args[0], { state: "frozen" });
            return true;
        });
        const store = await setupPosEnv();
        const notes = [];
        patchWithCleanup(store.notification, { add: (message) => notes.push(String(message)) });
        const dialogs = answerDialogs(store, (component, props) =>
            props.list?.some((item) => item.id === "lost") ? "lost" : undefined
        );
        orderOf(store, null);
        await store.storedValueCardService();
        expect(reported).toEqual([]); // no customer yet: nothing is asked or reported
        orderOf(store, WANG_FANG);
        await store.storedValueCardService();
        expect(dialogs[0].props.title).toBe("Customer needed");
        expect(dialogs.filter((dialog) => dialog.component === SelectionPopup)).toHaveLength(2);
        expect(reported).toEqual([[[1], "lost"]]);
        expect(store.models["stored.value.card"].get(1).state).toBe("frozen");
        expect(notes.at(-1)).toBe(
            "Card •••• 1234 is frozen: nobody can pay with it until it is reissued or unfrozen."
        );
    });

    test("a frozen card can only be reissued; the holder's PIN goes to the server with the request", async () => {
        const requests = [];
        onRpc("stored.value.card", "pos_reissue", ({ args }) => {
            requests.push(args);
            return { id: 1, name: "880000001234" };
        });
        const store = await setupPosEnv();
        patchWithCleanup(store.notification, { add: () => {} });
        const offered = [];
        answerDialogs(store, (component, props) => {
            if (component === SelectionPopup) {
                offered.push(props.list.map((item) => item.id));
                return props.list.some((item) => item.id === "reissue") ? "reissue" : "next";
            }
            if (component === NumberPopup) {
                return "2468";
            }
        });
        const order = orderOf(store, LI_LEI);
        order.uiState.storedValueCardId = 2; // the card with a PIN
        await store.storedValueCardService();
        expect(offered[0]).toEqual(["lost", "reissue"]);
        expect(requests).toHaveLength(1);
        const [cardIds, pin, requestUuid, stockNumber] = requests[0];
        expect([cardIds, pin, stockNumber]).toEqual([[2], "2468", null]);
        expect(requestUuid).toMatch(/^[0-9a-f-]{36}$/);
        expect(store.models["stored.value.card"].get(2).state).toBe("closed");

        offered.length = 0;
        order.uiState.storedValueCardId = 3; // the frozen one
        await store.storedValueCardService();
        expect(offered[0]).toEqual(["reissue"]);
    });

    test("a card without PIN is reissued without asking one, onto the pre-printed card scanned", async () => {
        const requests = [];
        onRpc("stored.value.card", "pos_reissue", ({ args }) => {
            requests.push(args);
            return { id: 1, name: "7712345678901234" };
        });
        const store = await setupPosEnv();
        patchWithCleanup(store.notification, { add: () => {} });
        const dialogs = answerDialogs(store, (component, props) => {
            if (component === SelectionPopup) {
                return props.list.some((item) => item.id === "reissue") ? "reissue" : "stock";
            }
            return " 7712345678901234 ";
        });
        orderOf(store, WANG_FANG);
        await store.storedValueCardService();
        expect(dialogs.some((dialog) => dialog.component === NumberPopup)).toBe(false);
        expect([requests[0][1], requests[0][3]]).toEqual([null, "7712345678901234"]);
    });
});
