# The mixin first: the reports below inherit it.
from . import loyalty_member_report_mixin  # isort: skip
from . import loyalty_member_cohort_report, loyalty_member_monthly_report
