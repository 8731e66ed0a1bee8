import { beforeEach, describe, expect, test } from "@odoo/hoot";
import { setupPosEnv } from "@point_of_sale/../tests/unit/utils";
import { definePosModels } from "@point_of_sale/../tests/unit/data/generate_model_definitions";
import { StoredValueMemberPopup } from "@stored_value_crm/app/components/popups/stored_value_member_popup/stored_value_member_popup";

definePosModels();

/** The form's checks on what the cashier typed, without rendering it. */
function form(typed = {}, props = {}) {
    const popup = Object.create(StoredValueMemberPopup.prototype);
    popup.props = props;
    popup.state = {
        phone: "138 1234 5678",
        name: "Zhang Wei",
        email: "",
        birthMonth: "",
        birthDay: "",
        birthYear: "",
        consent: { email: false, sms: true, phone: false },
        usePrinted: false,
        stockNumber: "",
        ...typed,
    };
    return popup;
}
/** The problem the cashier reads, as text. */
function problemOf(typed) {
    return form(typed).problem?.toString() ?? null;
}

describe("the new member form", () => {
    beforeEach(() => setupPosEnv()); // the messages are translated
    test("a mobile and a name are enough", () => {
        expect(problemOf()).toBe(null);
        expect(form().values).toEqual({
            name: "Zhang Wei",
            phone: "138 1234 5678",
            email: false,
            consent: { email: false, sms: true, phone: false },
            stock_number: false,
        });
    });

    test("the cashier reads what is missing or wrong before confirming", () => {
        expect(problemOf({ phone: "" })).toBe("Type the member's mobile number.");
        expect(problemOf({ phone: "12ab" })).toBe("Type the member's mobile number.");
        expect(problemOf({ name: "  " })).toBe("Type the member's name.");
        expect(problemOf({ email: "zhang.wei@" })).toBe("The email address is not complete.");
        expect(problemOf({ birthMonth: "5" })).toBe(
            "A birthday needs its month and day; the year, if given, has four digits."
        );
        expect(problemOf({ birthMonth: "5", birthDay: "12", birthYear: "90" })).toBe(
            "A birthday needs its month and day; the year, if given, has four digits."
        );
        expect(problemOf({ usePrinted: true })).toBe("Scan or type the number printed on the card.");
    });

    test("nothing is sent while the form has a problem", () => {
        const sent = [];
        const popup = form({ name: "" }, { getPayload: (values) => sent.push(values), close: () => {} });
        popup.confirm();
        expect(sent).toEqual([]);
        popup.state.name = " Zhang Wei ";
        popup.confirm();
        expect(sent.map((values) => values.name)).toEqual(["Zhang Wei"]);
    });

    test("a scanned pre-printed card is sold with the card", () => {
        const popup = form({ usePrinted: true, stockNumber: " 7712345678901234 " });
        expect(popup.values.stock_number).toBe("7712345678901234");
    });

    test("the birthday is day and month, the year when given; asked only where it has a use", () => {
        expect(form({ birthMonth: "5", birthDay: "7" }).birthday).toBe("05-07");
        expect(form({ birthMonth: "12", birthDay: "31", birthYear: "1990" }).birthday).toBe("1990-12-31");
        expect(form().birthday).toBe("");
        expect(form().showBirthday).toBe(false);
        expect("birthday" in form({ birthMonth: "5", birthDay: "7" }).values).toBe(false);
    });
});
