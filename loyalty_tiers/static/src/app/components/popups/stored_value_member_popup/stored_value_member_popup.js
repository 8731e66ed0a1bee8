import { patch } from "@web/core/utils/patch";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

patch(StoredValueMemberPopup.prototype, {
    /** The birthday gives the birthday points and multiplier of the member's tier. */
    get showBirthday() {
        return true;
    },
});
