import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as PartnerList from "@point_of_sale/../tests/pos/tours/utils/partner_list_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as SelectionPopup from "@point_of_sale/../tests/generic_helpers/selection_popup_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import * as Numpad from "@point_of_sale/../tests/generic_helpers/numpad_util";
import * as OfflineUtil from "@point_of_sale/../tests/generic_helpers/offline_util";
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import { scan_barcode } from "@point_of_sale/../tests/generic_helpers/utils";
import { inLeftSide } from "@point_of_sale/../tests/pos/tours/utils/common";
import { registry } from "@web/core/registry";

const CARD = "880000004242";
const HOLDER = "AAA Li Na";

function openRegister() {
    return [...Chrome.startPoS(), Dialog.confirm("Open Register")];
}
function selectHolder() {
    return [ProductScreen.clickPartnerButton(), ProductScreen.clickCustomer(HOLDER)].flat();
}
function cardShows(balance) {
    return { content: `the card shows ${balance}`, trigger: `.stored-value-card .stored-value-balance:contains(${balance})` };
}
/**
 * The whole card number typed in the customer search, then Enter: the server finds the holder and shows
 * them in full to the cashier, so the list (which matches card numbers) keeps them; each card shows its
 * last four digits only.
 */
function searchCustomerByCardNumber() {
    return [
        // Odoo's search steps, without their last check that the typed value is shown in the list.
        ...PartnerList.searchCustomerValue(CARD, true).slice(0, -1),
        {
            content: "the holder is listed with the card's last four digits",
            trigger: `.partner-list .partner-info:contains(${HOLDER}) .stored-value-card-number:contains(•••• ${CARD.slice(-4)})`,
        },
    ];
}
function typeInPopup(digits) {
    return digits.split("").map((digit) => ({
        content: `type ${digit} in the popup`,
        trigger: `.modal div.numpad button:contains(/^${digit}$/)`,
        run: "click",
    }));
}
/** The server has answered the PIN check of the card payment: its line carries the proof. */
function pinChecked() {
    return {
        content: "the PIN is checked",
        trigger: "body",
        run: async () => {
            const pending = () => posmodel.getOrder().payment_ids.some((line) => line.storedValuePinChecking);
            for (let attempt = 0; attempt < 100 && pending(); attempt++) {
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        },
    };
}
function receiptShowsCard(before, after) {
    return [
        { trigger: `.receipt-screen .stored-value-receipt:contains(•••• ${CARD.slice(-4)})` },
        { trigger: `.receipt-screen .stored-value-receipt:contains(${before})` },
        { trigger: `.receipt-screen .stored-value-balance-after:contains(${after})` },
    ];
}

registry.category("web_tour.tours").add("StoredValuePayFullTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            // The cashier types the card number in the customer search.
            ProductScreen.clickPartnerButton(),
            searchCustomerByCardNumber(),
            PartnerList.clickPartner(HOLDER),
            ProductScreen.clickPayButton(),
            cardShows("100.00"),
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "0.00", amount: "60.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsCard("100.00", "40.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueSplitTour", {
    steps: () =>
        [
            openRegister(),
            // A scanned card selects its holder.
            scan_barcode(CARD),
            ProductScreen.customerIsSelected(HOLDER),
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "20.00", amount: "100.00" }),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00", amount: "20.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsCard("100.00", "0.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueInsufficientTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            selectHolder(),
            ProductScreen.clickPayButton(),
            cardShows("30.00"),
            // The card pays what it holds; the cashier asks it for the whole bill anyway.
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "30.00", amount: "30.00" }),
            PaymentScreen.enterPaymentLineAmount("Stored Value", "60", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            Dialog.is({ title: "Card cannot pay" }),
            Dialog.bodyIs("less than the"),
            Dialog.confirm(),
            PaymentScreen.isShown(),
            PaymentScreen.clickPaymentlineDelButton("Stored Value", "60.00"),
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "30.00", amount: "30.00" }),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsCard("30.00", "0.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValuePinTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            selectHolder(),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Stored Value"),
            Dialog.is({ title: "PIN of" }),
            typeInPopup("1111"),
            Dialog.confirm("Check PIN"),
            Dialog.is({ title: "PIN not accepted" }),
            Dialog.bodyIs("Wrong PIN"),
            Dialog.confirm(),
            PaymentScreen.emptyPaymentlines("60.00"),
            PaymentScreen.clickPaymentMethod("Stored Value"),
            typeInPopup("2468"),
            Dialog.confirm("Check PIN"),
            pinChecked(),
            PaymentScreen.selectedPaymentlineHas("Stored Value", "60.00"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsCard("100.00", "40.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueTopUpTour", {
    steps: () =>
        [
            openRegister(),
            selectHolder(),
            ProductScreen.clickControlButton("Top Up Card"),
            typeInPopup("100"),
            Dialog.confirm("Next"),
            Dialog.is({ title: "Top up" }),
            Dialog.bodyIs("Bonus"),
            Dialog.bodyIs("10.00"),
            Dialog.confirm("Add Top-up"),
            ProductScreen.selectedOrderlineHas("Stored-Value Top-up", "1", "100.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueRefundTour", {
    steps: () =>
        [
            openRegister(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            selectHolder(),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "0.00", amount: "60.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
            // The customer brings it back: the refund goes to the card that paid.
            ProductScreen.clickRefund(),
            TicketScreen.selectOrderByPrice("60.00"),
            inLeftSide([...Order.hasLine({ productName: "Haircut", withClass: ".selected" }), Numpad.click("1")]),
            TicketScreen.confirmRefund(),
            PaymentScreen.isShown(),
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "0.00", amount: "-60.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsCard("40.00", "100.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("StoredValueOfflineTour", {
    steps: () =>
        [
            openRegister(),
            selectHolder(),
            OfflineUtil.setOfflineMode(),
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.clickPayButton(),
            // Offline, the terminal pays from the balance it knew; the server books it on sync.
            PaymentScreen.clickPaymentMethod("Stored Value", true, { remaining: "0.00", amount: "60.00" }),
            PaymentScreen.clickValidate(),
            Dialog.confirm("Continue with limited functionality"),
            ReceiptScreen.isShown(),
            receiptShowsCard("100.00", "40.00"),
            ReceiptScreen.clickNextOrder(),
            // The same terminal remembers what it spent: the card no longer covers a second 60.
            ProductScreen.clickDisplayedProduct("Haircut"),
            selectHolder(),
            ProductScreen.clickPayButton(),
            cardShows("40.00"),
            OfflineUtil.setOnlineMode(),
            PaymentScreen.clickPaymentMethod("Cash", true, { remaining: "0.00" }),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
        ].flat(),
});

function receiptShowsBalanceAfter(after) {
    return { trigger: `.receipt-screen .stored-value-balance-after:contains(${after})` };
}
function notified(text) {
    return { content: `the cashier is told: ${text}`, trigger: `.o_notification:contains("${text}")` };
}

registry.category("web_tour.tours").add("StoredValueLostAndReissueTour", {
    steps: () =>
        [
            openRegister(),
            selectHolder(),
            // The holder lost the card: it is frozen at once.
            ProductScreen.clickControlButton("Lost / Reissue Card"),
            SelectionPopup.has("Report lost, stolen or damaged", { run: "click" }),
            SelectionPopup.has("Lost", { run: "click" }),
            notified("is frozen"),
            // The holder, with their PIN, gets a new number that takes the whole balance.
            ProductScreen.clickControlButton("Lost / Reissue Card"),
            SelectionPopup.has("Reissue with a new card number", { run: "click" }),
            SelectionPopup.has("Next card number", { run: "click" }),
            typeInPopup("2468"),
            Dialog.confirm("Reissue"),
            notified("holds its balance of"),
            // The new card pays at once.
            ProductScreen.clickDisplayedProduct("Haircut"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Stored Value"),
            typeInPopup("2468"),
            Dialog.confirm("Check PIN"),
            pinChecked(),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShowsBalanceAfter("40.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
