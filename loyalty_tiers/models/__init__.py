from . import (
    loyalty_card,
    loyalty_point_batch,
    loyalty_program,
    loyalty_tier,
    loyalty_tier_history,
    pos_order,
    pos_session,
    res_partner,
    stored_value_card,
    stored_value_followup_plan,
)
