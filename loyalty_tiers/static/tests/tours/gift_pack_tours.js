import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import { registry } from "@web/core/registry";

function typeInPopup(digits) {
    return digits.split("").map((digit) => ({
        content: `type ${digit} in the popup`,
        trigger: `.modal div.numpad button:contains(/^${digit}$/)`,
        run: "click",
    }));
}

registry.category("web_tour.tours").add("GiftPackTopUpTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("AAA Li Na"),
            ProductScreen.clickControlButton("Top Up Card"),
            typeInPopup("500"),
            Dialog.confirm("Next"),
            Dialog.is({ title: "Top up" }),
            // The whole pack is shown before the cashier adds the top-up: money, points and the coupon.
            Dialog.bodyIs("50.00"),
            Dialog.bodyIs("200 points (Member Points)"),
            Dialog.bodyIs("1 × Free Coffee (Coffee Coupons)"),
            Dialog.bodyIs("550.00"),
            Dialog.confirm("Add Top-up"),
            ProductScreen.selectedOrderlineHas("Stored-Value Top-up", "1", "500.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
