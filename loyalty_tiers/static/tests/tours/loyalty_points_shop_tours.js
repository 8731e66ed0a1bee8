import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import { registry } from "@web/core/registry";

const REWARD = `.o_loyalty_points_shop_reward:has(td:contains("Gift card of 50"))`;

registry.category("web_tour.tours").add("loyalty_tiers_points_shop_portal", {
    steps: () => [
        {
            content: "the member sees their points and the shop's reward with its cost",
            trigger: `.o_loyalty_points_shop .o_loyalty_points_shop_points:contains("500.00")`,
        },
        { trigger: `${REWARD} td:contains("300.00")` },
        {
            content: "redeem the gift card",
            trigger: `${REWARD} .o_loyalty_points_shop_redeem`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the code is shown at once",
            trigger: `.o_loyalty_points_shop_issued .o_loyalty_points_shop_code:not(:empty)`,
        },
        { trigger: `.o_loyalty_points_shop_points:contains("200.00")` },
        {
            content: "the redemption is in the history, and the member cannot afford another one",
            trigger: `.o_loyalty_points_shop_history td:contains("Gift card of 50")`,
        },
        { trigger: `${REWARD} .o_loyalty_points_shop_redeem:disabled` },
    ],
});

const MEMBER = "AAA Points Shopper";

registry.category("web_tour.tours").add("loyalty_tiers_points_shop_pos", {
    steps: () =>
        [
            ...Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer(MEMBER),
            ProductScreen.clickControlButtonMore(),
            {
                content: "open the member's points shop",
                trigger: ".modal .control-buttons .o_loyalty_points_shop_button",
                run: "click",
            },
            {
                content: "the member's points and the shop's reward",
                trigger: `.modal .o_loyalty_points_shop_points:contains("1,500.00")`,
            },
            {
                content: "redeem the coupon for the member",
                trigger: `.modal .o_loyalty_points_shop_reward:has(.o_loyalty_points_shop_reward_name:contains("Free haircut coupon")) .o_loyalty_points_shop_redeem`,
                run: "click",
            },
            {
                content: "the code to hand over is shown, and the points left",
                trigger: `.modal .o_loyalty_points_shop_issued .o_loyalty_points_shop_code:not(:empty)`,
            },
            { trigger: `.modal .o_loyalty_points_shop_points:contains("500.00")` },
            {
                content: "close the points shop",
                trigger: `.modal .modal-footer button:contains("Close")`,
                run: "click",
            },
            ProductScreen.customerIsSelected(MEMBER),
        ].flat(),
});
