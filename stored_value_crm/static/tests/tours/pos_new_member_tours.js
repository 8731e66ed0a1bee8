import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as OfflineUtil from "@point_of_sale/../tests/generic_helpers/offline_util";
import { registry } from "@web/core/registry";

function typeDigits(digits) {
    return digits.split("").map((digit) => ({
        content: `type ${digit} in the popup`,
        trigger: `.modal div.numpad button:contains(/^${digit}$/)`,
        run: "click",
    }));
}
function fillMember({ phone, name }) {
    return [
        ProductScreen.clickControlButton("New Member Card"),
        {
            content: "type the mobile",
            trigger: ".o_stored_value_member_form input[name=phone]",
            run: `edit ${phone}`,
        },
        {
            content: "type the name",
            trigger: ".o_stored_value_member_form input[name=name]",
            run: `edit ${name}`,
        },
        {
            content: "the member agrees to SMS",
            trigger: ".o_stored_value_member_form input[name=consent_sms]",
            run: "click",
        },
        Dialog.confirm("Open Card"),
    ].flat();
}
function topUp(amount, bonusShown) {
    return [
        typeDigits(amount),
        Dialog.confirm("Next"),
        bonusShown ? { trigger: `.modal-body:contains(${bonusShown})` } : [],
        Dialog.confirm("Add Top-up"),
    ].flat();
}

registry.category("web_tour.tours").add("StoredValueNewMemberTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            // A new customer: card, PIN chosen twice on the pad, first top-up with its bonus.
            fillMember({ phone: "138 1234 5678", name: "Zhang Wei" }),
            typeDigits("2468"),
            Dialog.confirm("Next"),
            typeDigits("2468"),
            Dialog.confirm("Confirm PIN"),
            topUp("100", "Bonus"),
            ProductScreen.customerIsSelected("Zhang Wei"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
            // A mobile a customer already has serves that customer: no twin.
            fillMember({ phone: "139 0000 9999", name: "Somebody New" }),
            Dialog.is({ title: "AAA Known Member has this mobile" }),
            Dialog.confirm("Serve AAA Known Member"),
            Dialog.confirm("Next"), // no PIN
            Dialog.cancel(), // no top-up today
            ProductScreen.customerIsSelected("AAA Known Member"),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueNewMemberOfflineTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            OfflineUtil.setOfflineMode(),
            fillMember({ phone: "137 0000 1234", name: "Offline Member" }),
            topUp("50"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            Dialog.confirm("Continue with limited functionality"),
            ReceiptScreen.isShown(),
            OfflineUtil.setOnlineMode(),
            ReceiptScreen.clickNextOrder(),
            {
                content: "the order taken offline reaches the server",
                trigger: "body",
                run: async () => {
                    const unsynced = () =>
                        posmodel.models["pos.order"].some((order) => order.finalized && typeof order.id !== "number");
                    // The terminal pings the server before it syncs again.
                    for (let attempt = 0; attempt < 50 && unsynced(); attempt++) {
                        await new Promise((resolve) => setTimeout(resolve, 200));
                        await posmodel.syncAllOrders();
                    }
                    if (unsynced()) {
                        throw new Error("An order taken offline did not sync.");
                    }
                },
            },
        ].flat(),
});
