import { registry } from "@web/core/registry";

const MEMBER_CELLS = { Members: "B6", "New members": "B7", "Active members": "B8" };

/** The open dashboard's spreadsheet model, once every figure it shows has its data. */
async function loadedDashboard() {
    const loader = odoo.__WOWL_DEBUG__.root.env.services.spreadsheet_dashboard_loader;
    for (let attempt = 0; attempt < 100; attempt++) {
        const dashboard = loader.getActiveDashboard();
        const model = dashboard?.model;
        if (model) {
            const sheetId = model.getters.getActiveSheetId();
            const scorecards = model.getters
                .getChartIds(sheetId)
                .filter((chartId) => model.getters.getChartType(chartId) === "scorecard")
                .map((chartId) => model.getters.getChartRuntime(chartId));
            if (scorecards.length && scorecards.every((card) => card.keyValue && card.keyValue !== "Loading...")) {
                return { model, scorecards };
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("The Stored Value dashboard did not load its figures.");
}

// A stored-value manager opens Dashboards → Stored Value and reads this month's figures.
registry.category("web_tour.tours").add("StoredValueDashboardTour", {
    steps: () => [
        {
            content: "open the Stored Value dashboard",
            trigger: ".o_spreadsheet_dashboard_action .o_search_panel_category_value:contains(Stored Value)",
            run: "click",
        },
        {
            content: "the dashboard is shown",
            trigger: ".o_search_panel_category_value.active:contains(Stored Value)",
        },
        {
            content: "every scorecard shows a figure, and the members figures are not zero",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer",
            async run() {
                const { model, scorecards } = await loadedDashboard();
                const empty = scorecards.filter((card) => card.keyValue === "0" || card.keyValue.startsWith("#"));
                if (empty.length) {
                    throw new Error(`Empty figures: ${empty.map((card) => card.title.text).join(", ")}`);
                }
                const data = model.getters.getSheetIdByName("Data");
                for (const [title, cell] of Object.entries(MEMBER_CELLS)) {
                    const value = model.getters.getEvaluatedCell({
                        sheetId: data,
                        col: cell.charCodeAt(0) - 65,
                        row: Number(cell.slice(1)) - 1,
                    }).value;
                    if (!(typeof value === "number" && value > 0)) {
                        throw new Error(`${title} is ${value}, not a positive number.`);
                    }
                }
            },
        },
    ],
});
