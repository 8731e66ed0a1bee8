from . import customer_feedback_report
