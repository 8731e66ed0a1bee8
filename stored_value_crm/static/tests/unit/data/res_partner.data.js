import { ResPartner } from "@point_of_sale/../tests/unit/data/res_partner.data";

const customer = (id, name, phone) => ({
    id,
    name,
    street: false,
    street2: false,
    city: false,
    state_id: false,
    country_id: false,
    vat: false,
    lang: "en_US",
    phone,
    zip: false,
    email: false,
    barcode: false,
    write_date: "2026-01-05 10:00:00",
    property_product_pricelist: false,
    parent_name: false,
    pos_contact_address: "",
    invoice_emails: "",
    company_type: "person",
    fiscal_position_id: false,
});

// Card holders of stored_value_card.data.js, and a customer without any card.
ResPartner._records = [
    ...ResPartner._records,
    customer(101, "Wang Fang", "13800000101"),
    customer(102, "Li Lei", "13800000102"),
    customer(103, "Zhao Min", "13800000103"),
    customer(104, "Chen Jie", "13800000104"),
];
