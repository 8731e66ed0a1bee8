import { describe, expect, test } from "@odoo/hoot";
import { animationFrame, queryAllTexts } from "@odoo/hoot-dom";
import { makeServerError, mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { getFilledOrder, setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { NumberPopup } from "@point_of_sale/app/components/popups/number_popup/number_popup";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { answerDialogs, goOffline } from "@stored_value_crm/../tests/unit/utils";

definePosModels();

const WANG_FANG = 101; // card #1: 100.00, no PIN
const LI_LEI = 102; // card #2: 50.00 with a PIN, card #3 frozen
const CHEN_JIE = 104; // card #5: 20.50

async function orderFor(store, partnerId, price) {
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(partnerId));
    await store.addLineToOrder(
        { product_tmpl_id: store.models["product.template"].get(6), price_unit: price, tax_ids: [] },
        order
    );
    return order;
}

async function paymentScreenOf(order) {
    return await mountWithCleanup(PaymentScreen, { props: { orderUuid: order.uuid } });
}

describe("taking a payment from a card", () => {
    test("the customer's cards are shown with their balances", async () => {
        const store = await setupPosEnv();
        await paymentScreenOf(await orderFor(store, LI_LEI, 10));
        await animationFrame();
        const labels = queryAllTexts(".stored-value-card .fw-bold span:first-child");
        expect(labels).toEqual(["Card •••• 5678", "Card •••• 9012"]);
        expect(queryAllTexts(".stored-value-card .badge")).toEqual(["Frozen"]);
    });

    test("the card pays the amount due and the line carries its number", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await orderFor(store, WANG_FANG, 10);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(true);
        expect(dialogs).toHaveLength(0);
        const [line] = order.payment_ids;
        expect(line.amount).toBe(10);
        expect(line.stored_value_card_id.id).toBe(1);
        expect(line.stored_value_card_number).toBe("880000001234");
    });

    test("a card holding less than the amount due pays its whole balance", async () => {
        const store = await setupPosEnv();
        answerDialogs(store);
        const order = await orderFor(store, CHEN_JIE, 30);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(true);
        expect(order.payment_ids[0].amount).toBe(20.5);
        expect(order.remainingDue).toBe(9.5);
    });

    test("a frozen card adds no payment line and the cashier is told why", async () => {
        const store = await setupPosEnv();
        const frozen = store.models["stored.value.card"].get(3);
        const dialogs = answerDialogs(store, () => frozen);
        const order = await orderFor(store, LI_LEI, 10);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(false);
        expect(order.payment_ids).toHaveLength(0);
        const alert = dialogs.find((dialog) => dialog.component === AlertDialog);
        expect(alert.props.title).toBe("Card cannot pay");
        expect(alert.props.body).toBe("Card •••• 9012 is frozen: ask a manager to unfreeze it.");
    });

    test("a card with a PIN pays once the server accepted the holder's PIN", async () => {
        const checked = [];
        onRpc("stored.value.card", "pos_verify_pin", ({ args }) => {
            checked.push(args);
            return "10.00:1767225600:signature";
        });
        const store = await setupPosEnv();
        const cards = store.models["stored.value.card"];
        const dialogs = answerDialogs(store, (component) =>
            component === NumberPopup ? "4321" : cards.get(2)
        );
        const order = await orderFor(store, LI_LEI, 10);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(true);
        const pinPad = dialogs.find((dialog) => dialog.component === NumberPopup);
        expect(pinPad.props.title).toBe("PIN of Card •••• 5678");
        expect(pinPad.props.formatDisplayedValue("4321")).toBe("••••");
        const [line] = order.payment_ids;
        expect(checked).toEqual([[[2], "4321", order.uuid, line.uuid, 10]]);
        expect(line.stored_value_pin_token).toBe("10.00:1767225600:signature");
    });

    test("a wrong PIN removes the card payment line", async () => {
        onRpc("stored.value.card", "pos_verify_pin", () => {
            throw makeServerError({ message: "Wrong PIN: 2 tries left." });
        });
        const store = await setupPosEnv();
        const cards = store.models["stored.value.card"];
        const dialogs = answerDialogs(store, (component) =>
            component === NumberPopup ? "0000" : cards.get(2)
        );
        const order = await orderFor(store, LI_LEI, 10);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(false);
        expect(order.payment_ids).toHaveLength(0);
        const alert = dialogs.find((dialog) => dialog.component === AlertDialog);
        expect(alert.props.title).toBe("PIN not accepted");
        expect(alert.props.body).toBe("Wrong PIN: 2 tries left.");
    });

    test("a card with a PIN cannot pay offline", async () => {
        const store = await setupPosEnv();
        const cards = store.models["stored.value.card"];
        const dialogs = answerDialogs(store, (component) =>
            component === NumberPopup ? "4321" : cards.get(2)
        );
        const order = await orderFor(store, LI_LEI, 10);
        const screen = await paymentScreenOf(order);
        await goOffline(store);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(false);
        expect(order.payment_ids).toHaveLength(0);
        const alert = dialogs.find((dialog) => dialog.component === AlertDialog);
        expect(alert.props.body).toBe("A card with a PIN can only pay while the terminal is online.");
    });

    test("the holder cancelling the PIN removes the card payment line", async () => {
        const store = await setupPosEnv();
        const cards = store.models["stored.value.card"];
        answerDialogs(store, (component) => (component === NumberPopup ? undefined : cards.get(2)));
        const order = await orderFor(store, LI_LEI, 10);
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(false);
        expect(order.payment_ids).toHaveLength(0);
    });

    test("a refund goes back to the card that paid the order, without a PIN", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await getFilledOrder(store, {}, false, true);
        order.setPartner(store.models["res.partner"].get(LI_LEI));
        const payer = store.models["stored.value.card"].get(2);
        store.models["pos.payment"].create({
            amount: 185,
            pos_order_id: order.refunded_order_id,
            payment_method_id: store.storedValueMethod,
            stored_value_card_id: payer,
        });
        const screen = await paymentScreenOf(order);
        expect(await screen.addNewPaymentLine(store.storedValueMethod)).toBe(true);
        expect(dialogs).toHaveLength(0);
        const [line] = order.payment_ids;
        expect(line.stored_value_card_id).toBe(payer);
        expect(line.amount).toBe(order.priceIncl);
        expect(line.amount < 0).toBe(true);
    });

    test("another payment method is added as usual", async () => {
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store);
        const order = await orderFor(store, WANG_FANG, 10);
        const screen = await paymentScreenOf(order);
        await screen.addNewPaymentLine(store.models["pos.payment.method"].get(1));
        expect(dialogs).toHaveLength(0);
        expect(order.payment_ids[0].amount).toBe(10);
        expect(order.payment_ids[0].stored_value_card_id).toBe(undefined);
    });
});
