import { patch } from "@web/core/utils/patch";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";

patch(ControlButtons.prototype, {
    get storedValueTopUpProduct() {
        return this.pos.models["product.template"].find((template) => template.stored_value_top_up);
    },
    async clickStoredValueTopUp() {
        await this.pos.addLineToCurrentOrder({ product_tmpl_id: this.storedValueTopUpProduct });
    },
    async clickStoredValueNewMember() {
        await this.pos.openStoredValueMember();
    },
    async clickStoredValueCardService() {
        await this.pos.storedValueCardService();
    },
});
