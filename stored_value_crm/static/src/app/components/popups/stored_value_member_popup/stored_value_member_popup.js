import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { Dialog } from "@web/core/dialog/dialog";

// Loose checks the terminal can make offline; the server normalises the mobile to E.164 and checks it.
const PHONE_TYPED = /^\+?[\d\s().-]{6,20}$/;
const EMAIL_TYPED = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * What the cashier types to open a member card (办卡): mobile, name, email, birthday, consent per channel,
 * and the card: the next number or the pre-printed one in the customer's hand.
 */
export class StoredValueMemberPopup extends Component {
    static template = "stored_value_crm.StoredValueMemberPopup";
    static components = { Dialog };
    static props = {
        stockNumber: { type: String, optional: true },
        getPayload: Function,
        close: Function,
    };

    setup() {
        this.state = useState({
            phone: "",
            name: "",
            email: "",
            birthMonth: "",
            birthDay: "",
            birthYear: "",
            consent: { email: false, sms: false, phone: false },
            usePrinted: Boolean(this.props.stockNumber),
            stockNumber: this.props.stockNumber || "",
        });
        this.phoneRef = useRef("phone");
        onMounted(() => this.phoneRef.el?.focus());
    }
    /** A birthday is asked where an addon gives it a use (loyalty_tiers: birthday points). */
    get showBirthday() {
        return false;
    }
    get months() {
        return Array.from({ length: 12 }, (_value, index) => index + 1);
    }
    get days() {
        return Array.from({ length: 31 }, (_value, index) => index + 1);
    }
    get consentChannels() {
        return [
            { id: "email", label: _t("Email") },
            { id: "sms", label: _t("SMS") },
            { id: "phone", label: _t("Phone calls") },
        ];
    }
    /** ``MM-DD``, or ``YYYY-MM-DD`` when the year is given; empty when no birthday was chosen. */
    get birthday() {
        const { birthMonth, birthDay, birthYear } = this.state;
        if (!birthMonth || !birthDay) {
            return "";
        }
        const monthDay = `${String(birthMonth).padStart(2, "0")}-${String(birthDay).padStart(2, "0")}`;
        return birthYear ? `${birthYear}-${monthDay}` : monthDay;
    }
    /** Why the form cannot be confirmed yet, as the cashier reads it; null when it can. */
    get problem() {
        const { phone, name, email, usePrinted, stockNumber, birthMonth, birthDay, birthYear } = this.state;
        if (!PHONE_TYPED.test(phone.trim())) {
            return _t("Type the member's mobile number.");
        }
        if (!name.trim()) {
            return _t("Type the member's name.");
        }
        if (email.trim() && !EMAIL_TYPED.test(email.trim())) {
            return _t("The email address is not complete.");
        }
        if (Boolean(birthMonth) !== Boolean(birthDay) || (birthYear && !/^\d{4}$/.test(birthYear))) {
            return _t("A birthday needs its month and day; the year, if given, has four digits.");
        }
        if (usePrinted && !stockNumber.trim()) {
            return _t("Scan or type the number printed on the card.");
        }
        return null;
    }
    /** The member as the server reads it (``res.partner.pos_open_member``). */
    get values() {
        const values = {
            name: this.state.name.trim(),
            phone: this.state.phone.trim(),
            email: this.state.email.trim() || false,
            consent: { ...this.state.consent },
            stock_number: this.state.usePrinted ? this.state.stockNumber.trim() : false,
        };
        if (this.showBirthday) {
            values.birthday = this.birthday || false;
        }
        return values;
    }
    confirm() {
        if (this.problem) {
            return;
        }
        this.props.getPayload(this.values);
        this.props.close();
    }
}
