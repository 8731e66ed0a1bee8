// Steps of a customer answering the NPS survey on its page, as opened from a receipt's link or QR code.
export function answerNps(score, reason) {
    return [
        {
            content: "start the survey",
            trigger: "button.btn:contains('Start')",
            run: "click",
        },
        {
            content: `score ${score} out of 10`,
            trigger: `div.js_question-wrapper:contains('How likely are you to recommend us') label:contains(/^\\s*${score}\\s*$/)`,
            run: "click",
        },
        {
            content: "say why",
            trigger: "div.js_question-wrapper:contains('main reason for your score') textarea",
            run: `edit ${reason}`,
        },
        {
            content: "submit the answers",
            trigger: "button[value='finish']",
            run: "click",
        },
        {
            content: "confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "the customer is thanked",
            trigger: ".o_survey_finished:contains('Thank you for your answers')",
        },
    ];
}
