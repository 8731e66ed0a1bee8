import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { ConnectionLostError, RPCError } from "@web/core/network/rpc";
import { PosStore } from "@point_of_sale/app/services/pos_store";
import { NumberPopup } from "@point_of_sale/app/components/popups/number_popup/number_popup";
import { SelectionPopup } from "@point_of_sale/app/components/popups/selection_popup/selection_popup";
import { TextInputPopup } from "@point_of_sale/app/components/popups/text_input_popup/text_input_popup";
import { makeAwaitable, ask } from "@point_of_sale/app/utils/make_awaitable_dialog";
import { uuidv4 } from "@point_of_sale/utils";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

const PIN_TYPED = /^\d{4,8}$/;

patch(PosStore.prototype, {
    get storedValueMethod() {
        return this.models["pos.payment.method"].find((method) => method.is_stored_value);
    },
    storedValueCardsOf(partner) {
        if (!partner) {
            return [];
        }
        return this.models["stored.value.card"].filter(
            (card) => card.partner_id?.id === partner.id && card.state !== "closed"
        );
    },
    storedValueCardLabel(card) {
        if (card.pending) {
            return _t("the new card of %(name)s", { name: card.holderName });
        }
        return _t("Card %(number)s", { number: `•••• ${card.name.slice(-4)}` });
    },
    /** The card an order taken offline opens for a new member: it exists once the order syncs. */
    storedValuePendingCard(order) {
        const member = order.stored_value_new_member;
        return member ? { id: null, pending: true, holderName: member.name, state: "active", balance: 0 } : null;
    },
    formatStoredValue(amount) {
        return this.env.utils.formatCurrency(amount);
    },
    /**
     * Ask the server for cards (by number, or of a customer) and cache them with their holders.
     * Offline, the cached cards are used: the server checks every payment again when the order arrives.
     */
    async fetchStoredValueCards({ code = null, partner = null } = {}) {
        try {
            await this.data.callRelated(
                "stored.value.card",
                "pos_search_cards",
                [this.config.id],
                { code, partner_id: partner?.id || null },
                false
            );
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
        }
        if (code) {
            return this.models["stored.value.card"].find((card) => card.name === code.trim());
        }
        return this.storedValueCardsOf(partner);
    },
    setPartnerToCurrentOrder(partner) {
        super.setPartnerToCurrentOrder(...arguments);
        if (partner && this.storedValueMethod) {
            this.fetchStoredValueCards({ partner });
        }
    },
    /** A scanned card selects its holder and is the card the next card payment or top-up uses. */
    async selectStoredValueCard(card) {
        const order = this.getOrder();
        if (order.getPartner()?.id !== card.partner_id.id) {
            this.setPartnerToCurrentOrder(card.partner_id);
        }
        order.uiState.storedValueCardId = card.id;
        this.notification.add(
            _t("%(card)s of %(holder)s: balance %(balance)s", {
                card: this.storedValueCardLabel(card),
                holder: card.partner_id.name,
                balance: this.formatStoredValue(card.balance),
            }),
            { type: "info" }
        );
    },
    /** The card a payment or top-up of ``order`` uses: the scanned one, the only one, or the cashier's pick. */
    async chooseStoredValueCard(order, { refundOf = null } = {}) {
        if (refundOf) {
            return refundOf;
        }
        const partner = order.getPartner();
        if (!partner && order.stored_value_new_member) {
            return this.storedValuePendingCard(order);
        }
        if (!partner) {
            this.dialog.add(AlertDialog, {
                title: _t("Customer needed"),
                body: _t("Select the customer or scan their card first."),
            });
            return null;
        }
        const cards = await this.fetchStoredValueCards({ partner });
        const scanned = cards.find((card) => card.id === order.uiState.storedValueCardId);
        if (scanned || cards.length === 1) {
            return scanned || cards[0];
        }
        if (!cards.length) {
            this.dialog.add(AlertDialog, {
                title: _t("No stored-value card"),
                body: _t("%(customer)s has no usable stored-value card.", { customer: partner.name }),
            });
            return null;
        }
        return await makeAwaitable(this.dialog, SelectionPopup, {
            title: _t("Which card?"),
            list: cards.map((card) => ({
                id: card.id,
                item: card,
                label: `${this.storedValueCardLabel(card)} · ${this.formatStoredValue(card.balance)}`,
            })),
        });
    },
    /** Problem that stops ``card`` from paying ``amount`` now, as the cashier should read it, if any. */
    storedValueProblem(card, amount) {
        if (card.state === "frozen") {
            return _t("%(card)s is frozen: ask a manager to unfreeze it.", {
                card: this.storedValueCardLabel(card),
            });
        }
        if (card.state !== "active") {
            return _t("%(card)s cannot pay: it is not active.", { card: this.storedValueCardLabel(card) });
        }
        if (this.currency.round(amount - card.balance) > 0) {
            return _t("%(card)s holds %(balance)s, less than the %(amount)s asked.", {
                card: this.storedValueCardLabel(card),
                balance: this.formatStoredValue(card.balance),
                amount: this.formatStoredValue(amount),
            });
        }
        return null;
    },
    /** The PIN the holder types on the pad, shown as dots; nothing when they cancel. */
    async askStoredValuePin(card, confirmButtonLabel) {
        return await makeAwaitable(this.dialog, NumberPopup, {
            title: _t("PIN of %(card)s", { card: this.storedValueCardLabel(card) }),
            subtitle: _t("The card holder types their PIN."),
            formatDisplayedValue: (value) => "•".repeat(value.length),
            confirmButtonLabel,
        });
    },
    /**
     * Ask the holder's PIN and let the server check it; returns the proof the payment line carries. The
     * proof lets the card pay at most ``amount`` in that payment line, once, for a short while.
     */
    async verifyStoredValuePin(card, orderUuid, paymentUuid, amount) {
        const pin = await this.askStoredValuePin(card, _t("Check PIN"));
        if (!pin) {
            return null;
        }
        try {
            return await this.data.call("stored.value.card", "pos_verify_pin", [
                [card.id],
                pin,
                orderUuid,
                paymentUuid,
                amount,
            ]);
        } catch (error) {
            this.dialog.add(AlertDialog, {
                title: _t("PIN not accepted"),
                body:
                    error instanceof ConnectionLostError
                        ? _t("A card with a PIN can only pay while the terminal is online.")
                        : error instanceof RPCError
                        ? error.data.message
                        : String(error),
            });
            return null;
        }
    },
    /** Selling a top-up: the amount, the bonus the server will add, then a line crediting the card. */
    async addLineToOrder(vals, order, opts = {}, configure = true) {
        const template =
            typeof vals.product_tmpl_id === "number"
                ? this.models["product.template"].get(vals.product_tmpl_id)
                : vals.product_tmpl_id;
        if (!template?.stored_value_top_up || vals.stored_value_card_id) {
            return await super.addLineToOrder(...arguments);
        }
        const card = await this.chooseStoredValueCard(order);
        if (!card) {
            return;
        }
        const typed = await makeAwaitable(this.dialog, NumberPopup, {
            title: _t("Top up %(card)s", { card: this.storedValueCardLabel(card) }),
            subtitle: _t("Balance %(balance)s", { balance: this.formatStoredValue(card.balance) }),
            confirmButtonLabel: _t("Next"),
        });
        const amount = this.currency.round(parseFloat(typed) || 0);
        if (amount <= 0) {
            return;
        }
        let bonus = null;
        try {
            bonus =
                !card.pending &&
                (await this.data.call("stored.value.card", "pos_top_up_preview", [[card.id], amount]));
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                this.dialog.add(AlertDialog, { title: _t("Top-up refused"), body: error.data?.message });
                return;
            }
        }
        const confirmed = await ask(this.dialog, {
            title: _t("Top up %(amount)s", { amount: this.formatStoredValue(amount) }),
            body: bonus
                ? this.storedValueTopUpPreviewText(bonus)
                : _t("Offline: the bonus is added when the order reaches the server."),
            confirmLabel: _t("Add Top-up"),
        });
        if (!confirmed) {
            return;
        }
        return await super.addLineToOrder(
            {
                ...vals,
                price_unit: amount,
                stored_value_card_id: card.pending ? false : card,
                stored_value_opens_card: Boolean(card.pending),
                customer_note: bonus?.bonus
                    ? _t("%(card)s, bonus %(bonus)s", {
                          card: this.storedValueCardLabel(card),
                          bonus: this.formatStoredValue(bonus.bonus),
                      })
                    : this.storedValueCardLabel(card),
            },
            order,
            opts,
            false
        );
    },
    /** What the server's preview of a top-up says it gives: the bonus, what else its rules give, the balance. */
    storedValueTopUpPreviewText(preview) {
        const balance = this.formatStoredValue(preview.balance_after);
        const gifts = preview.gifts || [];
        const rules = preview.rules.join(", ");
        if (gifts.length) {
            return _t("Bonus %(bonus)s (%(rules)s). Also given: %(gifts)s. New balance %(balance)s.", {
                bonus: this.formatStoredValue(preview.bonus),
                rules,
                gifts: gifts.join(", "),
                balance,
            });
        }
        if (preview.bonus > 0) {
            return _t("Bonus %(bonus)s (%(rules)s). New balance %(balance)s.", {
                bonus: this.formatStoredValue(preview.bonus),
                rules,
                balance,
            });
        }
        return _t("No bonus applies to this amount. New balance %(balance)s.", { balance });
    },
    /**
     * The holder reports the card lost, stolen or damaged (it is frozen at once), or gets a new number
     * for it that takes its whole balance, with the holder's PIN; the old number is refused from then on.
     */
    async storedValueCardService() {
        const order = this.getOrder();
        const card = await this.chooseStoredValueCard(order);
        if (!card) {
            return;
        }
        const label = this.storedValueCardLabel(card);
        const actions = [];
        if (card.state === "active") {
            actions.push({ id: "lost", item: "lost", label: _t("Report lost, stolen or damaged") });
        }
        if (["active", "frozen"].includes(card.state)) {
            actions.push({ id: "reissue", item: "reissue", label: _t("Reissue with a new card number") });
        }
        const action = await makeAwaitable(this.dialog, SelectionPopup, {
            title: _t("%(card)s of %(holder)s", { card: label, holder: card.partner_id.name }),
            list: actions,
        });
        if (action === "lost") {
            await this.reportStoredValueCardLost(card);
        } else if (action === "reissue") {
            await this.reissueStoredValueCard(card);
        }
    },
    async reportStoredValueCardLost(card) {
        const reasons = [
            ["lost", _t("Lost")],
            ["stolen", _t("Stolen")],
            ["damaged", _t("Damaged")],
        ];
        const reason = await makeAwaitable(this.dialog, SelectionPopup, {
            title: _t("Why is %(card)s reported?", { card: this.storedValueCardLabel(card) }),
            list: reasons.map(([id, label]) => ({ id, item: id, label })),
        });
        if (!reason) {
            return;
        }
        await this.data.call("stored.value.card", "pos_report_lost", [[card.id], reason]);
        await this.fetchStoredValueCards({ partner: card.partner_id });
        this.notification.add(
            _t("%(card)s is frozen: nobody can pay with it until it is reissued or unfrozen.", {
                card: this.storedValueCardLabel(card),
            }),
            { type: "warning" }
        );
    },
    async reissueStoredValueCard(card) {
        const label = this.storedValueCardLabel(card);
        const numbering = await makeAwaitable(this.dialog, SelectionPopup, {
            title: _t("New card for %(card)s", { card: label }),
            list: [
                { id: "next", item: "next", label: _t("Next card number") },
                { id: "stock", item: "stock", label: _t("A pre-printed card from the counter") },
            ],
        });
        if (!numbering) {
            return;
        }
        let stockNumber = null;
        if (numbering === "stock") {
            stockNumber = await makeAwaitable(this.dialog, TextInputPopup, {
                title: _t("Pre-printed card number"),
                placeholder: _t("Scan or type the number printed on the card"),
            });
            if (!stockNumber) {
                return;
            }
        }
        let pin = null;
        if (card.has_pin) {
            pin = await this.askStoredValuePin(card, _t("Reissue"));
            if (!pin) {
                return;
            }
        }
        const newCard = await this.data.call("stored.value.card", "pos_reissue", [
            [card.id],
            pin,
            uuidv4(),
            stockNumber?.trim() || null,
        ]);
        const cards = await this.fetchStoredValueCards({ partner: card.partner_id });
        card.update({ state: "closed" });
        const order = this.getOrder();
        if (order.uiState.storedValueCardId === card.id) {
            order.uiState.storedValueCardId = newCard.id;
        }
        const issued = cards.find((candidate) => candidate.id === newCard.id);
        this.notification.add(
            _t("%(old)s is closed; the new card %(new)s holds its balance of %(balance)s.", {
                old: label,
                new: newCard.name,
                balance: this.formatStoredValue(issued?.balance ?? card.balance),
            }),
            { type: "success" }
        );
    },
    /**
     * Open a member card (办卡) at the counter: the cashier types the member's data, a customer who
     * already has the mobile is served instead of a twin, the holder may choose a PIN, and the first
     * top-up follows in the same order. Offline, the card is opened when the order syncs.
     */
    async openStoredValueMember({ stockNumber = "" } = {}) {
        const order = this.getOrder();
        const values = await makeAwaitable(this.dialog, StoredValueMemberPopup, { stockNumber });
        if (!values) {
            return null;
        }
        let found;
        try {
            found = await this.data.call("res.partner", "pos_find_member", [this.config.id, values.phone]);
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                return this.openStoredValueMemberOffline(order, values);
            }
            this.dialog.add(AlertDialog, { title: _t("Member card not opened"), body: error.data?.message });
            return null;
        }
        this.models.connectNewData(found.records);
        const customer = found.partner_id ? this.models["res.partner"].get(found.partner_id) : null;
        if (customer) {
            const serve = await ask(this.dialog, {
                title: _t("%(customer)s has this mobile", { customer: customer.name }),
                body: _t(
                    "A customer with the mobile %(phone)s already exists: a mobile belongs to one member. Serve %(customer)s?",
                    { phone: found.phone, customer: customer.name }
                ),
                confirmLabel: _t("Serve %(customer)s", { customer: customer.name }),
            });
            if (!serve) {
                return null;
            }
            const held = this.storedValueCardsOf(customer).filter((card) => card.state === "active");
            if (held.length && !values.stock_number) {
                await this.selectStoredValueCard(held[0]);
                await this.offerStoredValueTopUp();
                return held[0];
            }
        }
        const pin = await this.askNewStoredValuePin();
        if (pin === undefined) {
            return null;
        }
        let result;
        try {
            result = await this.data.call(
                "res.partner",
                "pos_open_member",
                [this.config.id, values, uuidv4()],
                { pin, partner_id: customer?.id || null }
            );
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                return this.openStoredValueMemberOffline(order, values);
            }
            this.dialog.add(AlertDialog, { title: _t("Member card not opened"), body: error.data?.message });
            return null;
        }
        this.models.connectNewData(result.records);
        const card = this.models["stored.value.card"].get(result.card_id);
        if (!card) {
            return null;
        }
        await this.selectStoredValueCard(card);
        await this.offerStoredValueTopUp();
        return card;
    },
    /** Offline, the order carries the member: the server opens the card (or finds the mobile) at sync. */
    async openStoredValueMemberOffline(order, values) {
        order.update({ stored_value_new_member: values });
        this.notification.add(
            _t(
                "Offline: the card of %(name)s is opened when the order reaches the server. A PIN can be set once the terminal is online.",
                { name: values.name }
            ),
            { type: "warning" }
        );
        await this.offerStoredValueTopUp();
        return this.storedValuePendingCard(order);
    },
    /** The first top-up of a card just opened: the cashier may skip it. */
    async offerStoredValueTopUp() {
        const template = this.models["product.template"].find((candidate) => candidate.stored_value_top_up);
        if (template) {
            await this.addLineToCurrentOrder({ product_tmpl_id: template });
        }
    },
    /**
     * The PIN the holder of a new card chooses, typed twice: a string of 4 to 8 digits, null for no PIN,
     * undefined when the cashier gives up.
     */
    async askNewStoredValuePin() {
        const hidden = (value) => "•".repeat(value.length);
        while (true) {
            const pin = await makeAwaitable(this.dialog, NumberPopup, {
                title: _t("PIN of the new card"),
                subtitle: _t("The holder types 4 to 8 digits, or leave it empty for a card without PIN."),
                formatDisplayedValue: hidden,
                confirmButtonLabel: _t("Next"),
            });
            if (pin === undefined) {
                return undefined;
            }
            if (!pin) {
                return null;
            }
            if (!PIN_TYPED.test(pin)) {
                this.notification.add(_t("A PIN is 4 to 8 digits."), { type: "danger" });
                continue;
            }
            const again = await makeAwaitable(this.dialog, NumberPopup, {
                title: _t("Type the PIN again"),
                formatDisplayedValue: hidden,
                confirmButtonLabel: _t("Confirm PIN"),
            });
            if (again === pin) {
                return pin;
            }
            if (again === undefined) {
                return undefined;
            }
            this.notification.add(_t("The two PINs differ: type the PIN again."), { type: "danger" });
        }
    },
});
