import { expect, test } from "@odoo/hoot";
import { queryAllTexts } from "@odoo/hoot-dom";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { PartnerLine } from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";

definePosModels();

test("the customer list shows each member's tier", async () => {
    const store = await setupPosEnv();
    await mountWithCleanup(PartnerLine, {
        props: {
            partner: store.models["res.partner"].get(201),
            close: () => {},
            isSelected: false,
            isBalanceDisplayed: true,
            onClickEdit: () => {},
            onClickUnselect: () => {},
            onClickPartner: () => {},
            onClickOrders: () => {},
        },
    });
    const badges = queryAllTexts(".loyalty-tier-badge");
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(["Silver"]));
});
