import { expect, test } from "@odoo/hoot";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

test("the new member form sends the referral code typed, and nothing when none is", () => {
    const popup = Object.create(StoredValueMemberPopup.prototype);
    popup.props = {};
    popup.state = {
        phone: "13812345678",
        name: "Zhou Min",
        email: "",
        birthMonth: "",
        birthDay: "",
        birthYear: "",
        consent: { email: false, sms: false, phone: false },
        usePrinted: false,
        stockNumber: "",
        referralCode: "  3f9a0c21b7 ",
    };
    expect(popup.values.referral_code).toBe("3f9a0c21b7");
    popup.state.referralCode = "";
    expect("referral_code" in popup.values).toBe(false);
});
