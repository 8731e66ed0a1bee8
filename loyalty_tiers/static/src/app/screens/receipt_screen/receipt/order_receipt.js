import { patch } from "@web/core/utils/patch";
import { OrderReceipt } from "@point_of_sale/app/screens/receipt_screen/receipt/order_receipt";
import { LoyaltyTierStatus } from "@loyalty_tiers/app/components/loyalty_tier_status/loyalty_tier_status";
import { generateQRCodeDataUrl } from "@point_of_sale/utils";

patch(OrderReceipt, { components: { ...OrderReceipt.components, LoyaltyTierStatus } });

patch(OrderReceipt.prototype, {
    /** The QR code of the member's sign-up link, drawn on the terminal (it prints offline too). */
    loyaltyReferralQr(member) {
        return member?.loyalty_referral_url ? generateQRCodeDataUrl(member.loyalty_referral_url) : "";
    },
});
