import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("stored_value_topup_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Stored Value app",
            trigger: ".o_app[data-menu-xmlid='stored_value_crm.menu_stored_value_root']",
            run: "click",
        },
        {
            content: "Open the customer's card",
            trigger: ".o_kanban_record:contains('TOUR-0001')",
            run: "click",
        },
        {
            content: "Top up the card",
            trigger: "button[name='action_top_up']",
            run: "click",
        },
        {
            content: "Type the amount paid",
            trigger: ".modal div[name='amount'] input",
            run: "edit 1000 && press Tab",
        },
        {
            content: "The bonus is shown before confirming",
            trigger: ".modal div[name='bonus_amount']:contains('200.00')",
        },
        {
            content: "The rule is explained",
            trigger: ".modal div[name='bonus_details']:contains('Top up 1,000')",
        },
        {
            content: "Confirm the top-up",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The card now holds principal and bonus",
            trigger: ".o_form_view div[name='balance']:contains('1,200.00')",
        },
        {
            content: "Two movements are in its ledger",
            trigger: "button[name='action_view_ledger'] .o_stat_value:contains('2')",
        },
        {
            content: "Ask for a statement",
            trigger: "button[name='action_statement']",
            run: "click",
        },
        {
            content: "The statement dialog offers printing and email",
            trigger: ".modal button[name='action_send']",
        },
        {
            content: "Close the dialog",
            trigger: ".modal button.btn-secondary:contains('Cancel')",
            run: "click",
        },
        {
            content: "Back on the card",
            trigger: ".o_form_view:not(:has(.modal))",
        },
    ],
});
