import { patch } from "@web/core/utils/patch";
import { PartnerList } from "@point_of_sale/app/screens/partner_list/partner_list";

patch(PartnerList.prototype, {
    get isBalanceDisplayed() {
        return super.isBalanceDisplayed || Boolean(this.pos.storedValueMethod);
    },
    /** The customer is new: open their member card instead of choosing one. */
    async clickStoredValueNewMember() {
        this.props.close();
        await this.pos.openStoredValueMember();
    },
    /** Typed digits also find the customer whose card number they are. */
    _getSearchFields(query) {
        const fields = super._getSearchFields(...arguments);
        return this.pos.storedValueMethod ? [...fields, "stored_value_card_ids.name"] : fields;
    },
});
