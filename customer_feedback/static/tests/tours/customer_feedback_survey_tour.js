import { registry } from "@web/core/registry";

// A customer scans the QR code of their receipt and gives a low NPS score, with their reason.
registry.category("web_tour.tours").add("customer_feedback_survey_tour", {
    steps: () => [
        {
            content: "Start the survey",
            trigger: "button.btn:contains('Start')",
            run: "click",
        },
        {
            content: "Score 2 out of 10",
            trigger: "div.js_question-wrapper:contains('How likely are you to recommend us') label:contains('2')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "div.js_question-wrapper:contains('main reason for your score') textarea",
            run: "edit The cashier was rude and I waited 20 minutes.",
        },
        {
            content: "Submit the answers",
            trigger: "button[value='finish']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The customer is thanked",
            trigger: ".o_survey_finished:contains('Thank you for your answers')",
        },
    ],
});
