import { expect, test } from "@odoo/hoot";
import { MockServer, onRpc } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

const SUN_LI = 201; // Silver, 1,250 points

function memberOrder(store, state) {
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(SUN_LI));
    order.state = state;
    return order;
}

function partnerReads() {
    const reads = [];
    onRpc("res.partner", "loyalty_pos_member_status", ({ args }) => {
        reads.push(args[0]);
    });
    return reads;
}

test("once a paid order is synced, the member's points and tier are the server's", async () => {
    const reads = partnerReads();
    const store = await setupPosEnv();
    reads.length = 0;
    const order = memberOrder(store, "paid");
    MockServer.env["res.partner"].write([SUN_LI], {
        loyalty_points: 1310,
        loyalty_tier_id: 2,
        loyalty_next_tier_id: false,
        loyalty_tier_progress: 0,
    });
    await store.postSyncAllOrders([order]);
    expect(reads).toEqual([[SUN_LI]]);
    const member = store.models["res.partner"].get(SUN_LI);
    expect(member.loyalty_points).toBe(1310);
    expect(member.loyalty_tier_id.name).toBe("Gold");
    expect(member.loyalty_next_tier_id).toBe(undefined);
});

test("a draft order asks the server for nothing", async () => {
    const reads = partnerReads();
    const store = await setupPosEnv();
    reads.length = 0;
    await store.postSyncAllOrders([memberOrder(store, "draft")]);
    expect(reads).toEqual([]);
});

test("offline, the member keeps the points the terminal knows", async () => {
    const store = await setupPosEnv();
    const order = memberOrder(store, "paid");
    MockServer.env["res.partner"].write([SUN_LI], { loyalty_points: 1310 });
    store.data.network.offline = true;
    await store.postSyncAllOrders([order]);
    expect(store.models["res.partner"].get(SUN_LI).loyalty_points).toBe(1250);
});
