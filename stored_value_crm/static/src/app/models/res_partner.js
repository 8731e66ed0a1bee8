import { patch } from "@web/core/utils/patch";
import { ResPartner } from "@point_of_sale/app/models/res_partner";

patch(ResPartner.prototype, {
    /** The customer list also finds a customer by the number of one of their cards. */
    get searchString() {
        const cards = this.models["stored.value.card"]?.filter((card) => card.partner_id?.id === this.id) || [];
        return [super.searchString, ...cards.map((card) => card.name)].join(" ");
    },
});
