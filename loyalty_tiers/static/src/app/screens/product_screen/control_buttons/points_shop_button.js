import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { LoyaltyPointsShopPopup } from "@loyalty_tiers/app/components/popups/loyalty_points_shop_popup/loyalty_points_shop_popup";

patch(ControlButtons.prototype, {
    /** The points shop of the order's member, as the server has it now. */
    async clickLoyaltyPointsShop() {
        const partner = this.pos.getOrder()?.getPartner();
        if (!partner) {
            return;
        }
        const shops = await this.pos.data.call("loyalty.redemption", "pos_points_shop", [partner.id]);
        if (!shops.length) {
            this.dialog.add(AlertDialog, {
                title: _t("Points Shop"),
                body: _t("%(member)s has no reward to exchange points for.", { member: partner.name }),
            });
            return;
        }
        this.dialog.add(LoyaltyPointsShopPopup, { partner, shops });
    },
});
