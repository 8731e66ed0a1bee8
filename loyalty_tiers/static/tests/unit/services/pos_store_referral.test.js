import { expect, test } from "@odoo/hoot";
import { MockServer } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

const MA_LIN = 204; // no member yet

test("a member opened with a synced order gets the referral code of their new card for the receipt", async () => {
    const store = await setupPosEnv();
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(MA_LIN));
    order.state = "paid";
    MockServer.env["res.partner"].write([MA_LIN], {
        loyalty_referral_code: "77C0DE0042",
        loyalty_referral_url: "https://shop.example.com/web/signup?referral=77C0DE0042",
    });
    await store.postSyncAllOrders([order]);
    const member = store.models["res.partner"].get(MA_LIN);
    expect(member.loyalty_referral_code).toBe("77C0DE0042");
    expect(member.loyalty_referral_url).toMatch(/referral=77C0DE0042$/);
});
