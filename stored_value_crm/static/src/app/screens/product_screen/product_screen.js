import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { ConnectionLostError } from "@web/core/network/rpc";
import { ask } from "@point_of_sale/app/utils/make_awaitable_dialog";
import { ProductScreen } from "@point_of_sale/app/screens/product_screen/product_screen";

patch(ProductScreen.prototype, {
    /**
     * A scanned code that is no product may be a card's barcode or QR code: select its holder. A
     * pre-printed card not sold yet opens a member card with that number.
     */
    async _barcodeProductAction(code) {
        if (this.pos.storedValueMethod && !(await this._getProductByBarcode(code))) {
            const card = await this.pos.fetchStoredValueCards({ code: code.code });
            if (card) {
                this.sound.play("beep");
                await this.pos.selectStoredValueCard(card);
                return;
            }
            if (await this.openMemberWithPrintedCard(code.code)) {
                return;
            }
        }
        return await super._barcodeProductAction(...arguments);
    },
    /** Whether ``number`` was taken as a pre-printed card (to sell, or refused with the reason). */
    async openMemberWithPrintedCard(number) {
        let printed;
        try {
            printed = await this.pos.data.call("stored.value.card.stock", "pos_stock_card_state", [
                this.pos.config.id,
                number,
            ]);
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
            // Offline, the number cannot be checked: the server sells it, or opens the next number, at sync.
            const open = await ask(this.dialog, {
                title: _t("Unknown code %(number)s", { number }),
                body: _t("Open a new member card with the pre-printed card %(number)s?", { number }),
                confirmLabel: _t("New Member Card"),
            });
            if (open) {
                await this.pos.openStoredValueMember({ stockNumber: number });
            }
            return open;
        }
        if (!printed.printed) {
            return false;
        }
        this.sound.play("beep");
        if (printed.problem) {
            this.dialog.add(AlertDialog, { title: _t("Card not sold"), body: printed.problem });
        } else {
            await this.pos.openStoredValueMember({ stockNumber: number });
        }
        return true;
    },
});
