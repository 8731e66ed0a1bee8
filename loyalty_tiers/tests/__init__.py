from . import (
    test_insider_points,
    test_installation,
    test_member_data_quality,
    test_point_expiry,
    test_points_randomised,
    test_pos_points_concurrency,
    test_pos_points_sync,
    test_pos_tier_tour,
    test_rfm_segments,
    test_sale_points,
    test_tier_access,
    test_tier_upgrade,
)
