import { ResPartner } from "@point_of_sale/../tests/unit/data/res_partner.data";

/** A POS customer as the server sends it, for the later addons' tests too. */
export const posCustomer = (id, name, phone, values = {}) => ({
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
    ...values,
});

// Card holders of stored_value_card.data.js, and a customer without any card.
ResPartner._records = [
    ...ResPartner._records,
    posCustomer(101, "Wang Fang", "13800000101"),
    posCustomer(102, "Li Lei", "13800000102"),
    posCustomer(103, "Zhao Min", "13800000103"),
    posCustomer(104, "Chen Jie", "13800000104"),
];
