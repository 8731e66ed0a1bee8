import { expect, test } from "@odoo/hoot";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

test("the new member form asks the birthday, day and month enough, and sends it", () => {
    const popup = Object.create(StoredValueMemberPopup.prototype);
    popup.props = {};
    popup.state = {
        phone: "13812345678",
        name: "Zhou Min",
        email: "",
        birthMonth: "2",
        birthDay: "29",
        birthYear: "",
        consent: { email: false, sms: false, phone: false },
        usePrinted: false,
        stockNumber: "",
    };
    expect(popup.showBirthday).toBe(true);
    expect(popup.values.birthday).toBe("02-29");
    popup.state.birthMonth = "";
    popup.state.birthDay = "";
    expect(popup.values.birthday).toBe(false);
});
