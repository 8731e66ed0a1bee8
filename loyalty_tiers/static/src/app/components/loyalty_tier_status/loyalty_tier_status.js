import { Component } from "@odoo/owl";
import { formatDate } from "@web/core/l10n/dates";
import { formatFloat } from "@web/core/utils/numbers";

/** A member's tier badge, points, points about to expire and progress to the next tier. */
export class LoyaltyTierStatus extends Component {
    static template = "loyalty_tiers.LoyaltyTierStatus";
    static props = { partner: Object };

    get partner() {
        return this.props.partner;
    }

    formatPoints(points) {
        return formatFloat(points || 0, { digits: [69, 2] });
    }

    get expiryDate() {
        const date = this.partner.loyalty_points_expiring_date;
        return date ? formatDate(date) : "";
    }

    get progress() {
        return Math.round(this.partner.loyalty_tier_progress || 0);
    }
}
