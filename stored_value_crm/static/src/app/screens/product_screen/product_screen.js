import { patch } from "@web/core/utils/patch";
import { ProductScreen } from "@point_of_sale/app/screens/product_screen/product_screen";

patch(ProductScreen.prototype, {
    /** A scanned code that is no product may be a card's barcode or QR code: select its holder. */
    async _barcodeProductAction(code) {
        if (this.pos.storedValueMethod && !(await this._getProductByBarcode(code))) {
            const card = await this.pos.fetchStoredValueCards({ code: code.code });
            if (card) {
                this.sound.play("beep");
                await this.pos.selectStoredValueCard(card);
                return;
            }
        }
        return await super._barcodeProductAction(...arguments);
    },
});
