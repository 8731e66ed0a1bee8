import { expect, test } from "@odoo/hoot";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { PartnerList } from "@point_of_sale/app/screens/partner_list/partner_list";

definePosModels();

async function partnerList() {
    return await mountWithCleanup(PartnerList, {
        props: { partner: null, getPayload: () => {}, close: () => {} },
    });
}

test("the customer list shows balances when the shop takes cards", async () => {
    await setupPosEnv();
    const list = await partnerList();
    expect(list.isBalanceDisplayed).toBe(true);
});

test("a typed card number, whole or in part, finds its holder among the loaded customers", async () => {
    const store = await setupPosEnv();
    const list = await partnerList();
    const partners = store.models["res.partner"].getAll();
    list.state.query = "880000005678";
    expect(list.getPartners(partners).map((partner) => partner.name)).toEqual(["Li Lei"]);
    list.state.query = "0009012";
    expect(list.getPartners(partners).map((partner) => partner.name)).toEqual(["Li Lei"]);
});

test("the server is asked for the card number too", async () => {
    await setupPosEnv();
    const list = await partnerList();
    expect(list._getSearchFields("880000005678")).toInclude("stored_value_card_ids.name");
    expect(list._getSearchFields("Li Lei")).toInclude("stored_value_card_ids.name");
});
