import { describe, expect, test } from "@odoo/hoot";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

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
