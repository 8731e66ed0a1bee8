import json

from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestStoredValueDashboard(CustomerFeedbackCommon):
    """The Stored Value dashboard of the Dashboards app reads fields that exist, and a stored-value manager,
    whom it is shown to, can read them with no other right."""

    def test_dashboard_references_existing_models_and_fields(self):
        dashboard = self.env.ref("customer_feedback.spreadsheet_dashboard_stored_value")
        self.assertIn(self.env.ref("stored_value_crm.group_stored_value_manager"), dashboard.group_ids)
        data = json.loads(dashboard.spreadsheet_data)
        filters = {spec["id"] for spec in data["globalFilters"]}
        sources = [
            (spec["model"], [m["fieldName"] for m in spec["measures"]], spec) for spec in data["pivots"].values()
        ]
        explicit = {
            (spec["model"], measure["fieldName"]): measure["aggregator"]
            for spec in data["pivots"].values()
            for measure in spec["measures"]
            if measure.get("aggregator")
        }
        for sheet in data["sheets"]:
            for figure in sheet["figures"]:
                meta = figure["data"].get("metaData")
                if meta:
                    groupby = [spec.split(":")[0] for spec in meta["groupBy"]]
                    sources.append((meta["resModel"], [meta["measure"], *groupby], figure["data"]))
        self.assertEqual(
            {model for model, _fields, _spec in sources},
            {
                "stored.value.kpi.report",
                "stored.value.balance.ageing.report",
                "customer.feedback.report",
                "loyalty.member.monthly.report",
            },
        )
        manager = self.sv_manager
        for model, used, spec in sources:
            Model = self.env[model]
            fnames = [*used, *(matching["chain"] for matching in spec.get("fieldMatching", {}).values())]
            self.assertLessEqual(set(fnames), set(Model._fields), model)
            self.assertLessEqual(set(spec.get("fieldMatching", {})), filters, model)
            # What the spreadsheet asks for, as a stored-value manager opens it.
            aggregators = {fname: explicit.get((model, fname), Model._fields[fname].aggregator) for fname in fnames}
            aggregates = [f"{fname}:{aggregator}" for fname, aggregator in aggregators.items() if aggregator]
            Model.with_user(manager)._read_group(spec.get("domain", []), [], aggregates)
        # The figures show cells of the data sheet, whose formulas read the pivots.
        cells = {
            f"Data!{ref}": text
            for sheet in data["sheets"]
            if sheet["name"] == "Data"
            for ref, text in sheet["cells"].items()
        }
        key_cells = [
            figure["data"]["keyValue"]
            for sheet in data["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"] == "scorecard"
        ]
        self.assertEqual(len(key_cells), 7)
        self.assertTrue(all(cell in cells for cell in key_cells))
