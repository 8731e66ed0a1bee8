import { patch } from "@web/core/utils/patch";
import { PosPaymentMethod } from "@point_of_sale/../tests/unit/data/pos_payment_method.data";

patch(PosPaymentMethod.prototype, {
    _load_pos_data_fields() {
        return [...super._load_pos_data_fields(), "is_stored_value"];
    },
});

PosPaymentMethod._records = [
    ...PosPaymentMethod._records.map((method) => ({ ...method, is_stored_value: false })),
    {
        id: 50,
        name: "Stored-Value Card",
        is_cash_count: false,
        use_payment_terminal: false,
        split_transactions: false,
        type: "bank",
        image: false,
        sequence: 3,
        payment_method_type: "none",
        default_qr: false,
        is_stored_value: true,
    },
];
