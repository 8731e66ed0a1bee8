import { expect, test } from "@odoo/hoot";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";

definePosModels();

test("a customer is found by the numbers of their own cards only", async () => {
    const store = await setupPosEnv();
    const partners = store.models["res.partner"];
    const liLei = partners.get(102).searchString;
    expect(liLei).toInclude("880000005678");
    expect(liLei).toInclude("880000009012");
    expect(liLei).not.toInclude("880000001234");
    expect(partners.get(103).searchString).not.toInclude("8800000");
});
