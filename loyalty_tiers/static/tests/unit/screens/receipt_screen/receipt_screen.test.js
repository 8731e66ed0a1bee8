import { expect, test } from "@odoo/hoot";
import { queryAll, queryOne } from "@odoo/hoot-dom";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { getFilledOrder, setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { ReceiptScreen } from "@point_of_sale/app/screens/receipt_screen/receipt_screen";

definePosModels();

test("a member's receipt shows their tier and points", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    order.setPartner(store.models["res.partner"].get(201));
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    const block = queryOne(".loyalty-tier-receipt");
    expect(block).toHaveText(/Sun Li/);
    expect(queryOne(".loyalty-tier-receipt .loyalty-tier-badge")).toHaveText("Silver");
    expect(queryOne(".loyalty-tier-receipt .loyalty-tier-points")).toHaveText("1,250.00 points");
});

test("a receipt without a member has no tier block", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    order.setPartner(store.models["res.partner"].get(204));
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    expect(queryAll(".loyalty-tier-receipt")).toHaveLength(0);
});
