import { describe, expect, test } from "@odoo/hoot";
import { MockServer } from "@web/../tests/web_test_helpers";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import OrderPaymentValidation from "@point_of_sale/app/utils/order_payment_validation";
import { answerDialogs } from "@stored_value_crm/../tests/unit/utils";

definePosModels();

const WANG_FANG = 101; // card #1: 100.00, no PIN
const LI_LEI = 102; // card #2: 50.00 with a PIN

/** An order of ``partnerId`` for 10.00 (tax included), paid by ``payments``: [[method id, amount, card id]]. */
async function paidOrder(store, partnerId, payments) {
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(partnerId));
    await store.addLineToOrder(
        { product_tmpl_id: store.models["product.template"].get(6), price_unit: 10, tax_ids: [] },
        order
    );
    for (const [methodId, amount, cardId] of payments) {
        const { data: line } = order.addPaymentline(store.models["pos.payment.method"].get(methodId));
        line.setAmount(amount);
        line.stored_value_card_id = cardId ? store.models["stored.value.card"].get(cardId) : undefined;
    }
    return order;
}

function validationOf(store, order) {
    return new OrderPaymentValidation({ pos: store, orderUuid: order.uuid });
}

function refusals(dialogs) {
    return dialogs
        .filter((dialog) => dialog.component === AlertDialog && dialog.props.title === "Card cannot pay")
        .map((dialog) => dialog.props.body);
}

describe("a card payment is refused before the order leaves the terminal", () => {
    test("when no card was chosen for it", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, null]]);
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)).toEqual(["Choose the card this payment is taken from."]);
    });

    test("when the card would pay for its own top-up", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, 1]]);
        order.lines[0].stored_value_card_id = store.models["stored.value.card"].get(1);
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)).toEqual([
            "A card cannot pay for its own top-up: take cash or a bank card.",
        ]);
    });

    test("when the amount was raised after the holder typed the PIN", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, LI_LEI, [[50, 10, 2]]);
        order.payment_ids[0].stored_value_pin_token = "8.00:1767225600:signature";
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        const [refusal] = refusals(dialogs);
        expect(refusal).toMatch(
            /^The holder typed the PIN of Card •••• 5678 for \$\s8\.00, not for \$\s10\.00: remove the card payment and add it again\.$/
        );
    });

    test("when the holder of a card with a PIN never typed it", async () => {
        const store = await setupPosEnv();
        for (const token of [undefined, "", "garbled"]) {
            const dialogs = answerDialogs(store);
            const order = await paidOrder(store, LI_LEI, [[50, 10, 2]]);
            order.payment_ids[0].stored_value_pin_token = token;
            expect(await validationOf(store, order).isOrderValid()).toBe(false);
            expect(refusals(dialogs)[0]).toBe(
                "Card •••• 5678 asks for its PIN: remove the card payment and add it again for the holder to type it."
            );
        }
    });

    test("while the server is still checking the PIN the holder typed", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, LI_LEI, [[50, 10, 2]]);
        order.payment_ids[0].storedValuePinChecking = true;
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)[0]).toBe("The PIN of Card •••• 5678 is still being checked: validate again in a moment.");
    });

    test("when another terminal has spent the balance meanwhile", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, 1]]);
        MockServer.env["stored.value.card"].write([1], { balance: 6 });
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)[0]).toMatch(
            /^Card •••• 1234 holds \$\s6\.00, less than the \$\s10\.00 asked\.$/
        );
    });

    test("when a manager froze the card meanwhile", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, 1]]);
        MockServer.env["stored.value.card"].write([1], { state: "frozen" });
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)).toEqual(["Card •••• 1234 is frozen: ask a manager to unfreeze it."]);
    });

    test("when two payment lines of one card together ask more than it holds", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        MockServer.env["stored.value.card"].write([1], { balance: 8 });
        const order = await paidOrder(store, WANG_FANG, [
            [50, 5, 1],
            [50, 5, 1],
        ]);
        expect(await validationOf(store, order).isOrderValid()).toBe(false);
        expect(refusals(dialogs)[0]).toMatch(
            /^Card •••• 1234 holds \$\s8\.00, less than the \$\s10\.00 asked\.$/
        );
    });
});

describe("a card payment the card can make", () => {
    test("passes, and the receipt shows the balance before and after", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, 1]]);
        expect(await validationOf(store, order).checkStoredValuePayments()).toBe(true);
        expect(dialogs).toHaveLength(0);
        expect(order.payment_ids[0].stored_value_balance_before).toBe(100);
        expect(order.payment_ids[0].stored_value_balance_after).toBe(90);
    });

    test("with the PIN typed for its amount passes", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await paidOrder(store, LI_LEI, [[50, 10, 2]]);
        order.payment_ids[0].stored_value_pin_token = "10.00:1767225600:signature";
        expect(await validationOf(store, order).checkStoredValuePayments()).toBe(true);
        expect(dialogs).toHaveLength(0);
    });

    test("a refund to the card is not checked against its balance", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        MockServer.env["stored.value.card"].write([1], { balance: 0 });
        const order = await paidOrder(store, WANG_FANG, [[50, -10, 1]]);
        expect(await validationOf(store, order).checkStoredValuePayments()).toBe(true);
        expect(dialogs).toHaveLength(0);
    });

    test("once validated, the terminal deducts it from the card it remembers", async () => {
        const store = await setupPosEnv();
        answerDialogs(store, () => true);
        const order = await paidOrder(store, WANG_FANG, [[50, 10, 1]]);
        expect(order.priceIncl).toBe(10);
        // pos_hr's override of validateOrder answers nothing: what counts is what the card holds after it.
        await validationOf(store, order).validateOrder();
        expect(store.models["stored.value.card"].get(1).balance).toBe(90);
    });
});
