from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    stored_value_card_ids = fields.One2many("stored.value.card", "partner_id", string="Stored-Value Cards")
    stored_value_notify = fields.Boolean(
        string="Card Emails",
        help="The holder asked to receive an email after each movement of their cards, and balance reminders.",
    )
    stored_value_card_count = fields.Integer(compute="_compute_stored_value_balance", groups="base.group_user")
    stored_value_balance = fields.Monetary(
        string="Stored Value",
        compute="_compute_stored_value_balance",
        groups="base.group_user",
        help="What the partner's active and frozen cards hold, in the company currency.",
    )
    stored_value_next_followup_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
        help="Deadline of the earliest open follow-up a plan scheduled for this customer.",
    )
    stored_value_next_followup_plan_id = fields.Many2one(
        "stored.value.followup.plan",
        string="Next Follow-up Plan",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
    )
    stored_value_next_followup_summary = fields.Char(
        string="Next Follow-up Summary",
        compute="_compute_stored_value_next_followup",
        groups="stored_value_crm.group_stored_value_user",
    )

    @api.depends("stored_value_card_ids.balance", "stored_value_card_ids.state")
    def _compute_stored_value_balance(self):
        cards = self.env["stored.value.card"].search(
            [("partner_id", "in", self.ids), ("company_id", "in", self.env.companies.ids)]
        )
        for partner in self:
            own = cards.filtered(lambda card, partner=partner: card.partner_id == partner)
            partner.stored_value_card_count = len(own)
            partner.stored_value_balance = sum(
                card.currency_id._convert(card.balance, self.env.company.currency_id, card.company_id)
                for card in own.filtered(lambda card: card.state in ("active", "frozen"))
            )

    def _compute_stored_value_next_followup(self):
        activities = self.env["mail.activity"].search(  # earliest deadline first
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self._origin.ids),
                ("stored_value_followup_plan_id", "!=", False),
            ]
        )
        next_followups = {}
        for activity in activities:
            next_followups.setdefault(activity.res_id, activity)
        for partner in self:
            activity = next_followups.get(partner._origin.id, activities.browse())
            partner.stored_value_next_followup_date = activity.date_deadline
            partner.stored_value_next_followup_plan_id = activity.stored_value_followup_plan_id
            partner.stored_value_next_followup_summary = activity.summary

    def action_view_stored_value_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stored_value_crm.stored_value_card_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.model
    def get_new_partner(self, config_id, domain, offset):
        """The POS's customer search also finds customers by card number, and brings their cards along."""
        result = super().get_new_partner(config_id, domain, offset)
        config = self.env["pos.config"].browse(config_id)
        Card = self.env["stored.value.card"]
        partner_ids = [partner["id"] for partner in result["res.partner"]]
        cards = Card.search([*Card._pos_usable_domain(config), ("partner_id", "in", partner_ids)])
        result["stored.value.card"] = Card._load_pos_data_read(cards, config)
        return result
