import { patch } from "@web/core/utils/patch";
import { PosOrderline } from "@point_of_sale/app/models/pos_order_line";
import "@pos_loyalty/app/models/pos_order_line";

patch(PosOrderline.prototype, {
    /**
     * A card top-up earns no points, as the server counts them: the money stays the customer's until
     * the card pays for a purchase, and that purchase earns them.
     */
    ignoreLoyaltyPoints({ program }) {
        return (
            super.ignoreLoyaltyPoints(...arguments) ||
            Boolean(this.product_id?.product_tmpl_id?.stored_value_top_up)
        );
    },
});
