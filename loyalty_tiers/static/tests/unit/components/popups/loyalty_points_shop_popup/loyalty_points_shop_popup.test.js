import { expect, test } from "@odoo/hoot";
import { MockServer, makeServerError, mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { answerDialogs } from "@stored_value_crm/../tests/unit/utils";
import { LoyaltyPointsShopPopup } from "@loyalty_tiers/app/components/popups/loyalty_points_shop_popup/loyalty_points_shop_popup";

definePosModels();

const SUN_LI = 201; // Silver, 1,250 points

const shop = (points = 1250) => ({
    card_id: 7,
    program_name: "Member Points",
    points,
    rewards: [{ id: 3, name: "Gift card of 50", points: 1000, program: "Gift Cards", affordable: points >= 1000 }],
    history: [],
});

async function popupFor(store) {
    const popup = Object.create(LoyaltyPointsShopPopup.prototype);
    const partner = store.models["res.partner"].get(SUN_LI);
    popup.pos = store;
    popup.props = { partner, shops: [shop()], close: () => {} };
    popup.keys = {};
    popup.state = { shops: [shop()], issued: null, error: "", busy: false };
    return popup;
}

function redemptions() {
    const keys = [];
    onRpc("loyalty.redemption", "pos_redeem", ({ args }) => {
        const [cardId, rewardId, key] = args;
        keys.push(key);
        expect([cardId, rewardId]).toEqual([7, 3]);
        MockServer.env["res.partner"].write([SUN_LI], { loyalty_points: 250 });
        return {
            ...shop(250),
            redemption: { id: 1, reward: "Gift card of 50", points: 1000, code: "GIFT-0001", program: "Gift Cards" },
        };
    });
    return keys;
}

test("a redemption shows the code the server issued and the member's points left", async () => {
    const keys = redemptions();
    const store = await setupPosEnv();
    const popup = await popupFor(store);
    await popup.redeem(popup.state.shops[0], popup.state.shops[0].rewards[0]);
    expect(keys).toHaveLength(1);
    expect(popup.state.issued.code).toBe("GIFT-0001");
    expect(popup.state.shops[0].points).toBe(250);
    expect(popup.state.shops[0].rewards[0].affordable).toBe(false);
    expect(popup.props.partner.loyalty_points).toBe(250);
    expect(popup.state.busy).toBe(false);
});

test("offline, the second try is the same request; the next redemption is a new one", async () => {
    const keys = redemptions();
    const store = await setupPosEnv();
    const popup = await popupFor(store);
    const [memberShop] = popup.state.shops;
    store.data.network.offline = true;
    await popup.redeem(memberShop, memberShop.rewards[0]);
    expect(popup.state.error).toInclude("cannot be reached");
    expect(popup.state.issued).toBe(null);
    const pendingKey = Object.values(popup.keys)[0];
    expect(pendingKey).toMatch(/^[0-9a-f-]{36}$/);
    store.data.network.offline = false;
    await popup.redeem(memberShop, memberShop.rewards[0]);
    await popup.redeem(memberShop, memberShop.rewards[0]);
    expect(keys[0]).toBe(pendingKey);
    expect(keys[1]).not.toBe(pendingKey);
});

test("a refusal of the server is shown as it says it", async () => {
    onRpc("loyalty.redemption", "pos_redeem", () => {
        throw makeServerError({ message: "Card 0420 holds 250.0 points; 1000.0 are needed." });
    });
    const store = await setupPosEnv();
    const popup = await popupFor(store);
    await popup.redeem(popup.state.shops[0], popup.state.shops[0].rewards[0]);
    expect(popup.state.error).toBe("Card 0420 holds 250.0 points; 1000.0 are needed.");
    expect(popup.keys).toEqual({});
    expect(popup.state.shops[0].points).toBe(1250);
});

test("the Points Shop button opens the member's shop, or says there is none", async () => {
    let answer = [shop()];
    const asked = [];
    onRpc("loyalty.redemption", "pos_points_shop", ({ args }) => {
        asked.push(args[0]);
        return answer;
    });
    const store = await setupPosEnv();
    const dialogs = answerDialogs(store);
    store.addNewOrder().setPartner(store.models["res.partner"].get(SUN_LI));
    const buttons = await mountWithCleanup(ControlButtons, {});
    await buttons.clickLoyaltyPointsShop();
    expect(dialogs.at(-1).component).toBe(LoyaltyPointsShopPopup);
    expect(dialogs.at(-1).props.shops[0].card_id).toBe(7);
    answer = [];
    await buttons.clickLoyaltyPointsShop();
    expect(dialogs.at(-1).component).toBe(AlertDialog);
    expect(asked).toEqual([SUN_LI, SUN_LI]);
});
