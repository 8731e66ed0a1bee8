import { patch } from "@web/core/utils/patch";
import { OrderReceipt } from "@point_of_sale/app/screens/receipt_screen/receipt/order_receipt";
import { LoyaltyTierStatus } from "@loyalty_tiers/app/components/loyalty_tier_status/loyalty_tier_status";

patch(OrderReceipt, { components: { ...OrderReceipt.components, LoyaltyTierStatus } });
