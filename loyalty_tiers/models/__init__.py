from . import (
    loyalty_card,
    loyalty_point_batch,
    loyalty_program,
    loyalty_tier,
    loyalty_tier_history,
    pos_order,
    pos_session,
    product_pricelist,
    res_partner,
    sale_order,
    stored_value_card,
    stored_value_followup_plan,
)
