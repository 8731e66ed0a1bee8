import { expect, test } from "@odoo/hoot";
import { queryAll, queryAllTexts, queryOne } from "@odoo/hoot-dom";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { LoyaltyTierStatus } from "@loyalty_tiers/app/components/loyalty_tier_status/loyalty_tier_status";

definePosModels();

async function statusOf(partnerId) {
    const store = await setupPosEnv();
    const partner = store.models["res.partner"].get(partnerId);
    await mountWithCleanup(LoyaltyTierStatus, { props: { partner } });
}

test("a member sees the tier, the points, those about to expire and the way to the next tier", async () => {
    await statusOf(201);
    expect(queryOne(".loyalty-tier-badge")).toHaveText("Silver");
    expect(queryOne(".loyalty-tier-badge")).toHaveClass("o_colorlist_item_color_3");
    expect(queryAllTexts(".loyalty-tier-status > *")).toEqual([
        "Silver",
        "1,250.00 points",
        "80.00 points expire on 01/31/2026",
        "40% to Gold",
    ]);
});

test("the top tier shows no next tier and no expiry when none is due", async () => {
    await statusOf(202);
    expect(queryAllTexts(".loyalty-tier-status > *")).toEqual(["Gold", "5,000.00 points"]);
});

test("nothing is shown for a customer who is no member", async () => {
    await statusOf(204);
    expect(queryAll(".loyalty-tier-status")).toHaveLength(0);
});
