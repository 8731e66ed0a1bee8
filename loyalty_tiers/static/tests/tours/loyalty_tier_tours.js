import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import { registry } from "@web/core/registry";

const MEMBER = "AAA Gold Member";
const OWN_PRICELIST_MEMBER = "AAA Gold Member With Own Pricelist";

function openRegister() {
    return [...Chrome.startPoS(), Dialog.confirm("Open Register")];
}
function memberLineShows(name, selector, text) {
    return {
        content: `the customer list shows ${text} for ${name}`,
        trigger: `.partner-list .partner-line:has(b:contains("${name}")) ${selector}:contains("${text}")`,
    };
}
function payCash() {
    return [
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
        PaymentScreen.clickValidate(),
        ReceiptScreen.isShown(),
    ].flat();
}

registry.category("web_tour.tours").add("LoyaltyTierMemberTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.selectedOrderlineHas("Haircut", "1", "60.00"),
            ProductScreen.clickPartnerButton(),
            memberLineShows(MEMBER, ".loyalty-tier-badge", "Gold"),
            memberLineShows(MEMBER, ".loyalty-tier-points", "250.00"),
            memberLineShows(MEMBER, ".loyalty-tier-expiring", "250.00"),
            memberLineShows(MEMBER, ".loyalty-tier-progress", "Platinum"),
            ProductScreen.clickCustomer(MEMBER),
            // The Gold pricelist (10% off) applies as soon as the member is selected.
            ProductScreen.selectedOrderlineHas("Haircut", "1", "54.00"),
            payCash(),
            // 54 points doubled by the Gold tier, as the server booked them.
            { trigger: `.receipt-screen .loyalty-tier-receipt .loyalty-tier-badge:contains("Gold")` },
            { trigger: `.receipt-screen .loyalty-tier-receipt .loyalty-tier-points:contains("358.00")` },
            { trigger: `.receipt-screen .loyalty-tier-receipt .loyalty-tier-expiring:contains("250.00")` },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("LoyaltyTierOwnPricelistTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.clickPartnerButton(),
            memberLineShows(OWN_PRICELIST_MEMBER, ".loyalty-tier-badge", "Gold"),
            ProductScreen.clickCustomer(OWN_PRICELIST_MEMBER),
            ProductScreen.customerIsSelected(OWN_PRICELIST_MEMBER),
            // The member's own pricelist wins over the tier's.
            ProductScreen.selectedOrderlineHas("Haircut", "1", "57.00"),
            payCash(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
