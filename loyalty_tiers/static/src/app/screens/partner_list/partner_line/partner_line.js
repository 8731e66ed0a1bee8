import { patch } from "@web/core/utils/patch";
import { PartnerLine } from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";
import { LoyaltyTierStatus } from "@loyalty_tiers/app/components/loyalty_tier_status/loyalty_tier_status";

patch(PartnerLine, { components: { ...PartnerLine.components, LoyaltyTierStatus } });
