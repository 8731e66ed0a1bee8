import { patch } from "@web/core/utils/patch";
import { ProductTemplate } from "@point_of_sale/../tests/unit/data/product_template.data";

patch(ProductTemplate.prototype, {
    _load_pos_data_fields() {
        return [...super._load_pos_data_fields(), "stored_value_top_up"];
    },
});

ProductTemplate._records = [
    ...ProductTemplate._records.map((template) => ({ ...template, stored_value_top_up: false })),
    {
        id: 150,
        display_name: "Card Top-up",
        standard_price: 0,
        categ_id: false,
        pos_categ_ids: [],
        taxes_id: [],
        barcode: false,
        name: "Card Top-up",
        list_price: 0,
        is_favorite: false,
        default_code: false,
        to_weight: false,
        uom_id: 1,
        description_sale: false,
        description: false,
        tracking: "none",
        type: "service",
        service_tracking: "no",
        is_storable: false,
        write_date: "2026-01-05 10:00:00",
        color: 0,
        pos_sequence: 50,
        available_in_pos: true,
        attribute_line_ids: [],
        active: true,
        image_128: false,
        combo_ids: [],
        product_variant_ids: [150],
        public_description: false,
        pos_optional_product_ids: [],
        sequence: 50,
        product_tag_ids: [],
        stored_value_top_up: true,
    },
];
