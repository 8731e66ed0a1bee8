import { patch } from "@web/core/utils/patch";
import { hootPosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { models } from "@web/../tests/web_test_helpers";

export class LoyaltyTier extends models.ServerModel {
    _name = "loyalty.tier";

    _load_pos_data_fields() {
        return ["name", "sequence", "program_id", "color", "point_multiplier", "pricelist_id"];
    }

    _records = [
        {
            id: 1,
            name: "Silver",
            sequence: 1,
            program_id: 1,
            color: 3,
            point_multiplier: 1.2,
            pricelist_id: false,
        },
        {
            id: 2,
            name: "Gold",
            sequence: 2,
            program_id: 1,
            color: 5,
            point_multiplier: 1.5,
            pricelist_id: 3,
        },
    ];
}

patch(hootPosModels, [...hootPosModels, LoyaltyTier]);
