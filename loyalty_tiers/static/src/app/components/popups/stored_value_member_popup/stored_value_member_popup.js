import { patch } from "@web/core/utils/patch";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

patch(StoredValueMemberPopup.prototype, {
    setup() {
        super.setup(...arguments);
        this.state.referralCode = "";
    },
    /** The birthday gives the birthday points and multiplier of the member's tier. */
    get showBirthday() {
        return true;
    },
    /** The referral code of the member who brought the new customer (老带新); the server checks it. */
    get values() {
        const values = super.values;
        const code = (this.state.referralCode || "").trim();
        if (code) {
            values.referral_code = code;
        }
        return values;
    },
});
