import { patch } from "@web/core/utils/patch";
import { ConnectionLostError } from "@web/core/network/rpc";
import { PosStore } from "@point_of_sale/app/services/pos_store";

const LOYALTY_STATUS_FIELDS = [
    "loyalty_tier_id",
    "loyalty_points",
    "loyalty_points_expiring",
    "loyalty_points_expiring_date",
    "loyalty_next_tier_id",
    "loyalty_tier_progress",
    // A member opened with this order may have just received their card, and with it their referral code.
    "loyalty_referral_code",
    "loyalty_referral_url",
];

patch(PosStore.prototype, {
    /**
     * The server has booked the orders' points: the receipt shows the members' points and tier as they are
     * now, once the server has reviewed the tiers the orders made due.
     */
    async postSyncAllOrders(orders) {
        await super.postSyncAllOrders(...arguments);
        const paid = orders.filter((order) => !["draft", "cancel"].includes(order.state));
        const partnerIds = [...new Set(paid.map((order) => order.partner_id?.id).filter(Boolean))];
        if (!partnerIds.length) {
            return;
        }
        let statuses;
        try {
            statuses = await this.data.call("res.partner", "loyalty_pos_member_status", [
                partnerIds,
                LOYALTY_STATUS_FIELDS,
            ]);
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
            return;
        }
        for (const { id, ...status } of statuses) {
            this.models["res.partner"].get(id)?.update(status);
        }
    },
});
