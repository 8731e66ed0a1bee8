import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Notification from "@point_of_sale/../tests/generic_helpers/notification_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as SelectionPopup from "@point_of_sale/../tests/generic_helpers/selection_popup_util";
import * as TextInputPopup from "@point_of_sale/../tests/generic_helpers/text_input_popup_util";
import { answerNps } from "@customer_feedback/../tests/tours/utils/survey_util";
import { registry } from "@web/core/registry";

const CUSTOMER = "AAA Li Na";

function payForCustomer() {
    return [
        ...Chrome.startPoS(),
        Dialog.confirm("Open Register"),
        ProductScreen.clickDisplayedProduct("Haircut"),
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer(CUSTOMER),
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod("Cash"),
        PaymentScreen.clickValidate(),
        ReceiptScreen.isShown(),
        {
            content: "the receipt invites the customer to the survey",
            trigger: ".receipt-screen .customer-feedback-receipt:contains(Tell us how we did) img.customer-feedback-qr",
        },
    ].flat();
}

// The customer opens the link printed on their receipt and gives a low score.
registry.category("web_tour.tours").add("CustomerFeedbackReceiptSurveyTour", {
    steps: () =>
        [
            payForCustomer(),
            {
                content: "open the receipt's survey link, as the customer (not in the cashier's session)",
                trigger: ".receipt-screen .customer-feedback-url",
                run() {
                    const link = this.anchor.textContent.trim();
                    window.location.href = `/web/session/logout?redirect=${encodeURIComponent(link)}`;
                },
                expectUnloadPage: true,
            },
            answerNps(2, "The cashier was rude and I waited 20 minutes."),
        ].flat(),
});

// After the sale, the customer complains at the counter: the cashier opens a case from the ⋮ actions.
registry.category("web_tour.tours").add("CustomerFeedbackComplaintTour", {
    steps: () =>
        [
            payForCustomer(),
            ReceiptScreen.clickNextOrder(),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer(CUSTOMER),
            ProductScreen.clickControlButton("Complaint"),
            TextInputPopup.inputText("Wrong change given"),
            Dialog.confirm("Apply"),
            SelectionPopup.has("High", { run: "click" }),
            Notification.has("Complaint CMP/"),
        ].flat(),
});
