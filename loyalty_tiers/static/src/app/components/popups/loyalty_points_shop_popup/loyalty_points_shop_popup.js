import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { Dialog } from "@web/core/dialog/dialog";
import { ConnectionLostError } from "@web/core/network/rpc";
import { formatFloat } from "@web/core/utils/numbers";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { uuidv4 } from "@point_of_sale/utils";

/**
 * The points shop (积分商城) of the member the cashier serves: their points, the rewards they can exchange
 * them for, and the code the server issues at once. The server prices the reward and checks the points.
 */
export class LoyaltyPointsShopPopup extends Component {
    static template = "loyalty_tiers.LoyaltyPointsShopPopup";
    static components = { Dialog };
    static props = { partner: Object, shops: Array, close: Function };

    setup() {
        this.pos = usePos();
        // One request key per reward being redeemed: kept when the network fails, so that the
        // cashier's second try is the same request (and cannot redeem twice), dropped once answered.
        this.keys = {};
        this.state = useState({ shops: this.props.shops, issued: null, error: "", busy: false });
    }

    formatPoints(points) {
        return formatFloat(points || 0, { digits: [69, 2] });
    }

    async redeem(shop, reward) {
        const slot = `${shop.card_id}/${reward.id}`;
        this.keys[slot] ||= uuidv4();
        Object.assign(this.state, { busy: true, error: "", issued: null });
        let result;
        try {
            result = await this.pos.data.call("loyalty.redemption", "pos_redeem", [
                shop.card_id,
                reward.id,
                this.keys[slot],
            ]);
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                this.state.error = _t("The server cannot be reached: try again when the terminal is online.");
            } else {
                delete this.keys[slot];
                this.state.error = error.data?.message || _t("The reward could not be redeemed.");
            }
            return;
        } finally {
            this.state.busy = false;
        }
        delete this.keys[slot];
        const { redemption, ...updated } = result;
        this.state.shops = this.state.shops.map((each) =>
            each.card_id === shop.card_id ? { ...each, ...updated } : each
        );
        this.state.issued = redemption;
        if (this.props.partner.loyalty_points !== undefined) {
            const [status] = await this.pos.data.call("res.partner", "read", [
                [this.props.partner.id],
                ["loyalty_points"],
            ]);
            this.props.partner.update({ loyalty_points: status.loyalty_points });
        }
    }
}
