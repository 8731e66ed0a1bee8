import { describe, expect, test } from "@odoo/hoot";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { addProductLineToOrder } from "@pos_loyalty/../tests/unit/utils";

definePosModels();

const SUN_LI = 201; // Silver member
const ZHOU_YU = 202; // Gold member given the tier's pricelist (#3)
const QIAN_HAO = 203; // Gold member with a pricelist of his own (#2)
const MA_LIN = 204; // no member

async function orderOf(partnerId, { usePresets }) {
    const store = await setupPosEnv();
    store.config.use_presets = usePresets;
    const order = store.addNewOrder();
    order.setPartner(store.models["res.partner"].get(partnerId));
    return order;
}

describe("the tier's pricelist", () => {
    test("applies to its member although the shop does not offer it", async () => {
        const order = await orderOf(ZHOU_YU, { usePresets: false });
        expect(order.config.available_pricelist_ids.map((pricelist) => pricelist.id)).not.toInclude(3);
        expect(order.pricelist_id.id).toBe(3);
    });

    test("does not replace a member's own pricelist", async () => {
        const order = await orderOf(QIAN_HAO, { usePresets: false });
        expect(order.pricelist_id?.id).not.toBe(3);
    });

    test("does not apply to a customer who is no member", async () => {
        const order = await orderOf(MA_LIN, { usePresets: false });
        expect(order.pricelist_id?.id).not.toBe(3);
    });

    test("gives way to the pricelist of the order's preset", async () => {
        const order = await orderOf(ZHOU_YU, { usePresets: true });
        expect(order.preset_id.pricelist_id.id).toBe(1);
        expect(order.pricelist_id.id).toBe(1);
    });
});

describe("member-only offers", () => {
    // pos_loyalty's reward #1 (10% for 10 points of the loyalty card #1), made an offer for Gold (tier #2).
    async function claimableFor(partnerId) {
        const store = await setupPosEnv();
        const models = store.models;
        models["loyalty.reward"].get(1).update({ tier_ids: [["link", models["loyalty.tier"].get(2)]] });
        const order = store.addNewOrder();
        order.setPartner(models["res.partner"].get(partnerId));
        await addProductLineToOrder(store, order);
        order.uiState.couponPointChanges = { 1: { coupon_id: 1, program_id: 1, points: 25 } };
        return order.getClaimableRewards().map(({ reward }) => reward.id);
    }

    test("are offered to members of their tiers", async () => {
        expect(await claimableFor(ZHOU_YU)).toInclude(1);
    });

    test("are not offered to members of other tiers", async () => {
        expect(await claimableFor(SUN_LI)).not.toInclude(1);
    });

    test("are not offered to customers who are no members", async () => {
        expect(await claimableFor(MA_LIN)).not.toInclude(1);
    });
});
