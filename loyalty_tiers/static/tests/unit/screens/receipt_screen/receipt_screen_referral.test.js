import { expect, test } from "@odoo/hoot";
import { queryAll, queryOne } from "@odoo/hoot-dom";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { getFilledOrder, setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { ReceiptScreen } from "@point_of_sale/app/screens/receipt_screen/receipt_screen";

definePosModels();

test("a member's receipt gives their referral code and its QR code", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    order.setPartner(store.models["res.partner"].get(201));
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    expect(queryOne(".loyalty-referral-receipt")).toHaveText(/3F9A0C21B7/);
    expect(queryOne(".loyalty-referral-receipt img.loyalty-referral-qr").getAttribute("src")).toMatch(/^data:image/);
});

test("a customer without a referral code has no referral block", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    order.setPartner(store.models["res.partner"].get(204));
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    expect(queryAll(".loyalty-referral-receipt")).toHaveLength(0);
});
