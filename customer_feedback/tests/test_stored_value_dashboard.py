import json

from odoo.tests import tagged

from .common import CustomerFeedbackCommon


@tagged("post_install", "-at_install")
class TestStoredValueDashboard(CustomerFeedbackCommon):
    """The Stored Value dashboard of the Dashboards app reads fields that exist, and a manager can read them."""

    def test_dashboard_references_existing_models_and_fields(self):
        dashboard = self.env.ref("customer_feedback.spreadsheet_dashboard_stored_value")
        self.assertIn(self.env.ref("stored_value_crm.group_stored_value_manager"), dashboard.group_ids)
        data = json.loads(dashboard.spreadsheet_data)
        filters = {spec["id"] for spec in data["globalFilters"]}
        sources = [
            (spec["model"], [m["fieldName"] for m in spec["measures"]], spec) for spec in data["pivots"].values()
        ]
        for sheet in data["sheets"]:
            for figure in sheet["figures"]:
                meta = figure["data"].get("metaData")
                if meta:
                    groupby = [spec.split(":")[0] for spec in meta["groupBy"]]
                    sources.append((meta["resModel"], [meta["measure"], *groupby], figure["data"]))
        self.assertEqual(
            {model for model, _fields, _spec in sources},
            {"stored.value.kpi.report", "stored.value.balance.ageing.report", "customer.feedback.report"},
        )
        manager = self.sv_manager
        manager.group_ids += self.env.ref("customer_feedback.group_customer_feedback_user")
        for model, used, spec in sources:
            Model = self.env[model]
            fnames = [*used, *(matching["chain"] for matching in spec.get("fieldMatching", {}).values())]
            self.assertLessEqual(set(fnames), set(Model._fields), model)
            self.assertLessEqual(set(spec.get("fieldMatching", {})), filters, model)
            # What the spreadsheet asks for, as a stored-value manager with feedback rights would open it.
            aggregates = [
                f"{fname}:{Model._fields[fname].aggregator}" for fname in fnames if Model._fields[fname].aggregator
            ]
            Model.with_user(manager)._read_group([], [], aggregates)
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
        self.assertEqual(len(key_cells), 4)
        self.assertTrue(all(cell in cells for cell in key_cells))
