from . import loyalty_member_cohort_report
