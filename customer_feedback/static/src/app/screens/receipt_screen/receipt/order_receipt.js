import { patch } from "@web/core/utils/patch";
import { generateQRCodeDataUrl } from "@point_of_sale/utils";
import { OrderReceipt } from "@point_of_sale/app/screens/receipt_screen/receipt/order_receipt";

patch(OrderReceipt.prototype, {
    /** The QR code of the survey this order's customer is invited to (set by the server when synced). */
    get feedbackQrCode() {
        return generateQRCodeDataUrl(this.order.feedback_survey_url);
    },
});
