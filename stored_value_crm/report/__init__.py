# The mixin first: the reports below inherit it.
from . import stored_value_report_mixin  # isort: skip
from . import stored_value_balance_ageing_report, stored_value_kpi_report, stored_value_statement
