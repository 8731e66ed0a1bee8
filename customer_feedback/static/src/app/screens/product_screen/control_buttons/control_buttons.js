import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { SelectionPopup } from "@point_of_sale/app/components/popups/selection_popup/selection_popup";
import { TextInputPopup } from "@point_of_sale/app/components/popups/text_input_popup/text_input_popup";
import { makeAwaitable } from "@point_of_sale/app/utils/make_awaitable_dialog";

patch(ControlButtons.prototype, {
    /** The order a complaint is about: the current one once saved, else the customer's last saved one. */
    feedbackComplaintOrder(partner) {
        const orders = this.pos.models["pos.order"].filter(
            (order) => order.isSynced && order.partner_id?.id === partner.id
        );
        if (orders.includes(this.currentOrder)) {
            return this.currentOrder;
        }
        return orders.sort((a, b) => a.id - b.id).at(-1);
    },
    async clickFeedbackComplaint() {
        const partner = this.partner;
        if (!partner) {
            this.dialog.add(AlertDialog, {
                title: _t("Customer needed"),
                body: _t("Choose the customer who complains first."),
            });
            return;
        }
        const description = await makeAwaitable(this.dialog, TextInputPopup, {
            title: _t("Complaint of %s", partner.name),
            placeholder: _t("What does the customer complain about?"),
            rows: 4,
        });
        if (!description?.trim()) {
            return;
        }
        const severities = [
            ["low", _t("Low")],
            ["normal", _t("Normal")],
            ["high", _t("High")],
            ["urgent", _t("Urgent")],
        ];
        const severity = await makeAwaitable(this.dialog, SelectionPopup, {
            title: _t("How serious is it?"),
            list: severities.map(([item, label], id) => ({ id, label, item, isSelected: item === "normal" })),
        });
        if (!severity) {
            return;
        }
        const text = description.trim();
        const result = await this.pos.data.call("customer.feedback.case", "create_from_pos", [
            {
                partner_id: partner.id,
                name: text.split("\n")[0].slice(0, 80),
                description: text,
                severity,
                pos_order_id: this.feedbackComplaintOrder(partner)?.id,
            },
        ]);
        this.notification.add(_t("Complaint %s opened.", result.reference), { type: "success" });
    },
});
