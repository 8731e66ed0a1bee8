import { describe, expect, test } from "@odoo/hoot";
import { mountWithCleanup, onRpc, patchWithCleanup } from "@web/../tests/web_test_helpers";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { SelectionPopup } from "@point_of_sale/app/components/popups/selection_popup/selection_popup";
import { TextInputPopup } from "@point_of_sale/app/components/popups/text_input_popup/text_input_popup";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { answerDialogs } from "@stored_value_crm/../tests/unit/utils";

definePosModels();

const WANG_FANG = 101;
const LI_LEI = 102;

function complaintsSent() {
    const sent = [];
    onRpc("customer.feedback.case", "create_from_pos", ({ args }) => {
        sent.push(args[0]);
        return { id: 7, reference: "CMP/2026/0007" };
    });
    return sent;
}

/** A saved (synced) order of ``partnerId``, as the terminal keeps it after the sync. */
function savedOrder(store, id, partnerId) {
    return store.models["pos.order"].create({
        id,
        name: `Shop/${id}`,
        partner_id: store.models["res.partner"].get(partnerId),
        session_id: store.session,
        config_id: store.config,
        state: "paid",
        amount_paid: 10,
        amount_total: 10,
    });
}

async function complaintButtons(store, partnerId) {
    const order = store.addNewOrder();
    if (partnerId) {
        order.setPartner(store.models["res.partner"].get(partnerId));
    }
    const notes = [];
    patchWithCleanup(store.notification, { add: (message) => notes.push(message) });
    const buttons = await mountWithCleanup(ControlButtons, {});
    return { buttons, order, notes };
}

function cashierTypes(description, severity) {
    return (component) => {
        if (component === TextInputPopup) {
            return description;
        }
        if (component === SelectionPopup) {
            return severity;
        }
    };
}

describe("a complaint from the till", () => {
    test("needs the customer who complains", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        const dialogs = answerDialogs(store, cashierTypes("Cold coffee", "normal"));
        const { buttons } = await complaintButtons(store, null);
        await buttons.clickFeedbackComplaint();
        expect(dialogs.map((dialog) => dialog.component)).toEqual([AlertDialog]);
        expect(dialogs[0].props.title).toBe("Customer needed");
        expect(sent).toEqual([]);
    });

    test("opens a case about the customer's last saved order, with the severity chosen", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        savedOrder(store, 501, WANG_FANG);
        savedOrder(store, 502, WANG_FANG);
        savedOrder(store, 503, LI_LEI);
        const text = "Wrong size\nThe shoes delivered were 38, not 39.";
        const dialogs = answerDialogs(store, cashierTypes(text, "high"));
        const { buttons, notes } = await complaintButtons(store, WANG_FANG);
        await buttons.clickFeedbackComplaint();
        expect(dialogs[0].props.title).toBe("Complaint of Wang Fang");
        const severities = dialogs[1].props.list;
        expect(severities.map((item) => item.item)).toEqual(["low", "normal", "high", "urgent"]);
        expect(severities.filter((item) => item.isSelected).map((item) => item.item)).toEqual(["normal"]);
        expect(sent).toEqual([
            {
                partner_id: WANG_FANG,
                name: "Wrong size",
                description: text,
                severity: "high",
                pos_order_id: 502,
            },
        ]);
        expect(notes).toEqual(["Complaint CMP/2026/0007 opened."]);
    });

    test("is about the current order once it is saved", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        const current = savedOrder(store, 500, WANG_FANG);
        savedOrder(store, 502, WANG_FANG);
        answerDialogs(store, cashierTypes("Rude staff", "urgent"));
        const { buttons } = await complaintButtons(store, WANG_FANG);
        store.setOrder(current);
        await buttons.clickFeedbackComplaint();
        expect(sent.map((values) => values.pos_order_id)).toEqual([500]);
    });

    test("of a customer without a saved order names no order", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        answerDialogs(store, cashierTypes("Long queue", "low"));
        const { buttons } = await complaintButtons(store, LI_LEI);
        await buttons.clickFeedbackComplaint();
        expect(sent).toHaveLength(1);
        expect(sent[0].pos_order_id).toBe(undefined);
    });

    test("takes the first 80 characters of its first line as the case's title", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        const text = `  ${"x".repeat(100)}\nmore  `;
        answerDialogs(store, cashierTypes(text, "normal"));
        const { buttons } = await complaintButtons(store, LI_LEI);
        await buttons.clickFeedbackComplaint();
        expect(sent[0].name).toBe("x".repeat(80));
        expect(sent[0].description).toBe(`${"x".repeat(100)}\nmore`);
    });

    test("sends nothing when the cashier leaves the text blank or cancels the severity", async () => {
        const sent = complaintsSent();
        const store = await setupPosEnv();
        const { buttons } = await complaintButtons(store, LI_LEI);
        for (const [description, severity] of [["   ", "high"], [undefined, "high"], ["Too loud", undefined]]) {
            answerDialogs(store, cashierTypes(description, severity));
            await buttons.clickFeedbackComplaint();
        }
        expect(sent).toEqual([]);
    });
});
