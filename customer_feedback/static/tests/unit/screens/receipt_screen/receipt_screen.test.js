import { expect, test } from "@odoo/hoot";
import { queryAll, queryOne } from "@odoo/hoot-dom";
import { mountWithCleanup } from "@web/../tests/web_test_helpers";
import { getFilledOrder, setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { ReceiptScreen } from "@point_of_sale/app/screens/receipt_screen/receipt_screen";

definePosModels();

const SURVEY_URL = "https://shop.example.com/survey/start/4f2a?answer_token=9c1e";

test("the receipt invites the customer to the survey with a QR code and its link", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    order.feedback_survey_url = SURVEY_URL;
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    expect(queryOne(".customer-feedback-receipt .customer-feedback-url")).toHaveText(SURVEY_URL);
    const qr = queryOne(".customer-feedback-receipt img.customer-feedback-qr");
    expect(qr.getAttribute("src")).toMatch(/^data:image\/png;base64,./);
});

test("a receipt without a survey invitation has no survey block", async () => {
    const store = await setupPosEnv();
    const order = await getFilledOrder(store);
    await mountWithCleanup(ReceiptScreen, { props: { orderUuid: order.uuid } });
    expect(queryAll(".customer-feedback-receipt")).toHaveLength(0);
});
