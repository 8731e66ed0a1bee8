import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";

patch(PaymentScreen.prototype, {
    get storedValueCards() {
        return this.pos.storedValueCardsOf(this.currentOrder.getPartner());
    },
    /** The card a refund goes back to: the one that paid the refunded order. */
    get storedValueRefundCard() {
        const refunded = this.currentOrder.lines.find((line) => line.refunded_orderline_id)?.refunded_orderline_id;
        const payment = refunded?.order_id?.payment_ids.find((line) => line.stored_value_card_id);
        return payment?.stored_value_card_id || null;
    },
    async addNewPaymentLine(paymentMethod) {
        if (!paymentMethod.is_stored_value) {
            return await super.addNewPaymentLine(...arguments);
        }
        const order = this.currentOrder;
        const due = order.remainingDue;
        const isRefund = this.pos.currency.round(due) < 0;
        const card = await this.pos.chooseStoredValueCard(order, {
            refundOf: isRefund ? this.storedValueRefundCard : null,
        });
        if (!card) {
            return false;
        }
        const amount = isRefund ? due : Math.min(due, card.balance);
        const problem = isRefund ? null : this.pos.storedValueProblem(card, amount > 0 ? amount : due);
        if (problem) {
            this.dialog.add(AlertDialog, { title: _t("Card cannot pay"), body: problem });
            return false;
        }
        if (!(await super.addNewPaymentLine(paymentMethod))) {
            return false;
        }
        const line = this.paymentLines.at(-1);
        line.stored_value_card_id = card;
        line.stored_value_card_number = card.name;
        line.setAmount(amount);
        this.numberBuffer.set(amount.toString());
        if (!isRefund && card.has_pin) {
            // Until the server answers, validating the order says to wait rather than to add the card again.
            line.storedValuePinChecking = true;
            const proof = await this.pos
                .verifyStoredValuePin(card, order.uuid, line.uuid, amount)
                .finally(() => (line.storedValuePinChecking = false));
            if (!proof) {
                this.deletePaymentLine(line.uuid);
                return false;
            }
            line.stored_value_pin_token = proof;
        }
        return true;
    },
});
