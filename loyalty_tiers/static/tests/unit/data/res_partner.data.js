import { patch } from "@web/core/utils/patch";
import { ResPartner } from "@point_of_sale/../tests/unit/data/res_partner.data";
import { posCustomer } from "@stored_value_crm/../tests/unit/data/res_partner.data";

patch(ResPartner.prototype, {
    loyalty_pos_member_status(partnerIds, fieldNames) {
        return this.read(partnerIds, fieldNames, false);
    },
    _load_pos_data_fields() {
        return [
            ...super._load_pos_data_fields(),
            "loyalty_tier_id",
            "loyalty_points",
            "loyalty_points_expiring",
            "loyalty_points_expiring_date",
            "loyalty_next_tier_id",
            "loyalty_tier_progress",
            "loyalty_referral_code",
            "loyalty_referral_url",
        ];
    },
});

const member = (id, name, values) =>
    posCustomer(id, name, `1390000${id}`, {
        loyalty_tier_id: false,
        loyalty_points: 0,
        loyalty_points_expiring: 0,
        loyalty_points_expiring_date: false,
        loyalty_next_tier_id: false,
        loyalty_tier_progress: 0,
        loyalty_referral_code: false,
        loyalty_referral_url: false,
        ...values,
    });

// Tiers of loyalty_tier.data.js: Silver (1), and Gold (2) whose pricelist is #3.
ResPartner._records = [
    ...ResPartner._records,
    // A Silver member on her way to Gold, with points about to expire.
    member(201, "Sun Li", {
        loyalty_tier_id: 1,
        loyalty_points: 1250,
        loyalty_points_expiring: 80,
        loyalty_points_expiring_date: "2026-01-31",
        loyalty_next_tier_id: 2,
        loyalty_tier_progress: 39.6,
        loyalty_referral_code: "3F9A0C21B7",
        loyalty_referral_url: "https://shop.example.com/web/signup?referral=3F9A0C21B7",
    }),
    // A Gold member given the tier's pricelist.
    member(202, "Zhou Yu", { loyalty_tier_id: 2, loyalty_points: 5000, property_product_pricelist: 3 }),
    // A Gold member with a pricelist of his own.
    member(203, "Qian Hao", { loyalty_tier_id: 2, loyalty_points: 4200, property_product_pricelist: 2 }),
    // A customer who is no member yet.
    member(204, "Ma Lin", {}),
];
