import { expect, test } from "@odoo/hoot";
import { mountWithCleanup, onRpc, patchWithCleanup } from "@web/../tests/web_test_helpers";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { ProductScreen } from "@point_of_sale/app/screens/product_screen/product_screen";

definePosModels();

async function productScreen() {
    const store = await setupPosEnv();
    const order = store.addNewOrder();
    patchWithCleanup(store.notification, { add: () => {} });
    const screen = await mountWithCleanup(ProductScreen, { props: { orderUuid: order.uuid } });
    return { store, order, screen };
}

test("scanning a card selects its holder and the card, and sells nothing", async () => {
    // The back end knows no product with the card's number either.
    onRpc("product.template", "load_product_from_pos", () => ({}));
    const { order, screen } = await productScreen();
    await screen._barcodeProductAction({ code: "880000005678", base_code: "880000005678" });
    expect(order.getPartner().name).toBe("Li Lei");
    expect(order.uiState.storedValueCardId).toBe(2);
    expect(order.lines).toHaveLength(0);
});

test("scanning a product still sells the product", async () => {
    const { order, screen } = await productScreen();
    await screen._barcodeProductAction({ code: "test_test", base_code: "test_test" });
    expect(order.lines.map((line) => line.product_id.id)).toEqual([5]);
    expect(order.getPartner()).toBe(undefined);
    expect(order.uiState.storedValueCardId).toBe(undefined);
});
