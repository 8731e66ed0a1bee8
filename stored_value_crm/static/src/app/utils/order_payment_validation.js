import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import OrderPaymentValidation from "@point_of_sale/app/utils/order_payment_validation";

patch(OrderPaymentValidation.prototype, {
    async isOrderValid(isForceValidate) {
        if (!(await this.checkStoredValuePayments())) {
            return false;
        }
        return await super.isOrderValid(...arguments);
    },
    /** The terminal remembers what its cards paid, so that offline it does not spend the same money twice. */
    async finalizeValidation() {
        for (const line of this.paymentLines) {
            const card = line.payment_method_id.is_stored_value && line.stored_value_card_id;
            if (card) {
                card.balance = this.pos.currency.round(card.balance - line.amount);
            }
        }
        return await super.finalizeValidation(...arguments);
    },
    /**
     * Refuse, before the order leaves the terminal, a card payment the card cannot make: with fresh
     * balances when online, with the cached ones offline (the server checks again at sync).
     */
    async checkStoredValuePayments() {
        const pos = this.pos;
        const payments = this.paymentLines.filter((line) => line.payment_method_id.is_stored_value);
        const refuse = (body) => {
            pos.dialog.add(AlertDialog, { title: _t("Card cannot pay"), body });
            return false;
        };
        const topUpCards = this.order.lines.map((line) => line.stored_value_card_id).filter(Boolean);
        for (const line of payments) {
            const card = line.stored_value_card_id;
            if (!card) {
                return refuse(_t("Choose the card this payment is taken from."));
            }
            if (topUpCards.includes(card)) {
                return refuse(_t("A card cannot pay for its own top-up: take cash or a bank card."));
            }
            if (line.amount <= 0) {
                continue;
            }
            // The proof reads "<amount>:<expiry>:<signature>": the holder typed the PIN for that amount.
            const pinAmount = parseFloat((line.stored_value_pin_token || "").split(":")[0]);
            if (card.has_pin && line.storedValuePinChecking) {
                return refuse(
                    _t("The PIN of %(card)s is still being checked: validate again in a moment.", {
                        card: pos.storedValueCardLabel(card),
                    })
                );
            }
            if (card.has_pin && Number.isNaN(pinAmount)) {
                return refuse(
                    _t("%(card)s asks for its PIN: remove the card payment and add it again for the holder to type it.", {
                        card: pos.storedValueCardLabel(card),
                    })
                );
            }
            if (card.has_pin && !(pos.currency.round(line.amount - pinAmount) <= 0)) {
                return refuse(
                    _t(
                        "The holder typed the PIN of %(card)s for %(allowed)s, not for %(amount)s: remove the card payment and add it again.",
                        {
                            card: pos.storedValueCardLabel(card),
                            allowed: pos.formatStoredValue(pinAmount),
                            amount: pos.formatStoredValue(line.amount),
                        }
                    )
                );
            }
            await pos.fetchStoredValueCards({ partner: card.partner_id });
            const asked = payments
                .filter((other) => other.stored_value_card_id === card && other.amount > 0)
                .reduce((sum, other) => sum + other.amount, 0);
            const problem = pos.storedValueProblem(card, asked);
            if (problem) {
                return refuse(problem);
            }
            // What the receipt shows until the server's figures come back with the synced order.
            line.stored_value_balance_before = card.balance;
            line.stored_value_balance_after = pos.currency.round(card.balance - line.amount);
        }
        return true;
    },
});
