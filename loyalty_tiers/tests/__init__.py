from . import (
    test_installation,
    test_point_expiry,
    test_points_verification,
    test_rfm_segments,
    test_tier_access,
    test_tier_upgrade,
)
