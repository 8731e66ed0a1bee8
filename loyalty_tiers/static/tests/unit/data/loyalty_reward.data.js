import { patch } from "@web/core/utils/patch";
import { LoyaltyReward } from "@pos_loyalty/../tests/unit/data/loyalty_reward.data";

patch(LoyaltyReward.prototype, {
    _load_pos_data_fields() {
        return [...super._load_pos_data_fields(), "tier_ids"];
    },
});
