import { expect, test } from "@odoo/hoot";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { NumberPopup } from "@point_of_sale/app/components/popups/number_popup/number_popup";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { answerDialogs, goOffline } from "@stored_value_crm/../tests/unit/utils";

definePosModels();

test("the Top Up Card button sells a top-up of the customer's card", async () => {
    const store = await setupPosEnv();
    await goOffline(store); // the bonus preview is the store's concern, tested there
    answerDialogs(store, (component) => {
        if (component === NumberPopup) {
            return "25";
        }
        return component === ConfirmationDialog;
    });
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(101));
    const buttons = await mountWithCleanup(ControlButtons, {});
    expect(buttons.storedValueTopUpProduct.id).toBe(150);
    await buttons.clickStoredValueTopUp();
    expect(order.lines).toHaveLength(1);
    expect(order.lines[0].product_id.id).toBe(150);
    expect(order.lines[0].price_unit).toBe(25);
    expect(order.lines[0].stored_value_card_id.id).toBe(1);
});
