import { patch } from "@web/core/utils/patch";
import { PosOrder } from "@point_of_sale/app/models/pos_order";

patch(PosOrder.prototype, {
    /**
     * A member's tier pricelist applies even when the terminal does not offer it, unless the member
     * has a pricelist of their own (the server then does not give them the tier's).
     */
    updatePricelistAndFiscalPosition(newPartner) {
        super.updatePricelistAndFiscalPosition(...arguments);
        const tierPricelist = newPartner?.loyalty_tier_id?.pricelist_id;
        if (
            tierPricelist &&
            newPartner.property_product_pricelist?.id === tierPricelist.id &&
            (!this.config.use_presets || !this.preset_id?.pricelist_id)
        ) {
            this.setPricelist(tierPricelist);
        }
    },

    /**
     * Member-only offers (rewards restricted to tiers) are offered only to members of those tiers; the
     * server flags an order that gives one to anybody else.
     */
    getClaimableRewards() {
        const tier = this.getPartner()?.loyalty_tier_id;
        return super
            .getClaimableRewards(...arguments)
            .filter(
                ({ reward }) =>
                    !reward.tier_ids?.length || (tier && reward.tier_ids.some((t) => t.id === tier.id))
            );
    },
});
