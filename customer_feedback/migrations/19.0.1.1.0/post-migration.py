"""Invitations and their answers say where and by whom the customer was served (point of sale, store,
employee): those made before are labelled from their purchases, else from the user who invited."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["customer.feedback.invitation"]._served_backfill(
        SQL(
            """SELECT invitation.id, invitation.pos_order_id, invitation.sale_order_id, invitation.move_id,
                      invitation.create_uid AS user_id, invitation.company_id
                 FROM customer_feedback_invitation invitation
                WHERE invitation.employee_id IS NULL OR invitation.crm_team_id IS NULL"""
        )
    )
    cr.execute(
        SQL(
            """UPDATE survey_user_input answer
                  SET feedback_pos_config_id = invitation.pos_config_id,
                      feedback_crm_team_id = invitation.crm_team_id,
                      feedback_employee_id = invitation.employee_id
                 FROM customer_feedback_invitation invitation
                WHERE invitation.user_input_id = answer.id"""
        )
    )
    env["survey.user_input"].invalidate_model(
        ["feedback_pos_config_id", "feedback_crm_team_id", "feedback_employee_id"]
    )
