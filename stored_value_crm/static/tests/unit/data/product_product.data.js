import { ProductProduct } from "@point_of_sale/../tests/unit/data/product_product.data";

ProductProduct._records = [
    ...ProductProduct._records,
    {
        id: 150,
        product_tmpl_id: 150,
        lst_price: 0,
        standard_price: 0,
        display_name: "Card Top-up",
        product_tag_ids: [],
        barcode: false,
        pos_categ_ids: [],
        default_code: false,
        product_template_attribute_value_ids: [],
        product_template_variant_value_ids: [],
    },
];
