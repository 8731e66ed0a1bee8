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
