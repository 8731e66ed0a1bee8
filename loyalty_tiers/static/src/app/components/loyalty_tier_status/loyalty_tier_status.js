import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
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

    get pointsLabel() {
        return _t("%(points)s points", { points: this.formatPoints(this.partner.loyalty_points) });
    }

    get expiringLabel() {
        const date = this.partner.loyalty_points_expiring_date;
        return _t("%(points)s points expire on %(date)s", {
            points: this.formatPoints(this.partner.loyalty_points_expiring),
            date: date ? formatDate(date) : "",
        });
    }

    get progressLabel() {
        return _t("%(progress)s to %(tier)s", {
            progress: `${Math.round(this.partner.loyalty_tier_progress || 0)}%`,
            tier: this.partner.loyalty_next_tier_id.name,
        });
    }
}
