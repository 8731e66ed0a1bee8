from . import (
    test_complaint_cases,
    test_complaint_compensation,
    test_feedback_access,
    test_feedback_analytics,
    test_feedback_portal,
    test_feedback_privacy,
    test_insider_feedback,
    test_installation,
    test_invitation_rules,
    test_partner_scores,
    test_pos_feedback_tour,
    test_pos_unit_js,
)
