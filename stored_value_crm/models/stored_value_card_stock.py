from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class StoredValueCardStock(models.Model):
    """A pre-printed card number of a batch: it holds nothing, and is no card, until it is sold.

    Selling it (:meth:`_sell`) issues the card with that very number to the customer at the counter.
    Every field is protected: lines are created by the batch's generation and change only when sold
    or voided, through the posting code.
    """

    _name = "stored.value.card.stock"
    _description = "Pre-Printed Card Number"
    _inherit = ["stored.value.guard"]
    _order = "batch_id desc, id"
    _check_company_auto = True
    _protected_fields = frozenset({"name", "batch_id", "company_id", "state", "card_id", "sold_date", "sold_user_id"})

    _name_unique = models.Constraint("UNIQUE(name)", "This card number is already printed in a batch.")

    name = fields.Char(string="Card Number", required=True, readonly=True, index=True)
    batch_id = fields.Many2one("stored.value.card.batch", required=True, readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("unsold", "Unsold"), ("sold", "Sold"), ("void", "Void")], required=True, default="unsold", readonly=True
    )
    card_id = fields.Many2one("stored.value.card", readonly=True, index="btree_not_null", ondelete="restrict")
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    sold_date = fields.Datetime(string="Sold On", readonly=True)
    sold_user_id = fields.Many2one("res.users", string="Sold By", readonly=True)

    def _check_seller(self):
        """Raise unless the user sells cards: a stored-value user at the desk or a cashier at the POS."""
        user = self.env.user
        if not (
            user.has_group("stored_value_crm.group_stored_value_user") or user.has_group("point_of_sale.group_pos_user")
        ):
            raise AccessError(self.env._("Only stored-value users and Point of Sale cashiers sell cards."))

    @api.model
    def _sell(self, number, partner, pin=None, pin_hash=None, company=None, currency=None):
        """Issue the card printed with ``number`` to ``partner`` (active, holding nothing); return it.

        The number must be in stock, unsold, of ``company`` (the user's current one by default). The
        optional ``pin`` (or the ``pin_hash`` a wizard kept) becomes the card's PIN.
        """
        self._check_seller()
        company = company or self.env.company
        if company not in self.env.user.company_ids:
            raise AccessError(self.env._("You cannot sell cards for %(company)s.", company=company.name))
        number = number.strip() if isinstance(number, str) else ""
        if not partner or not isinstance(partner, models.BaseModel) or partner._name != "res.partner":
            raise UserError(self.env._("Choose the customer the card is sold to."))
        partner.ensure_one()
        # sudo: the number may be of another company, which the user must be told rather than "unknown".
        stock = self.sudo().search([("name", "=", number)], limit=1) if number else self.sudo()
        if not stock:
            raise UserError(self.env._("%(number)s is not a card number of any printed batch.", number=number or "-"))
        # Two counters selling the same card at once: the second waits and finds it sold.
        self.env.cr.execute(SQL("SELECT id FROM stored_value_card_stock WHERE id = %s FOR UPDATE", stock.id))
        stock.invalidate_recordset()
        problem = stock._sale_problem(company)
        if problem:
            raise UserError(problem)
        if partner.company_id and partner.company_id != company:
            raise UserError(
                self.env._(
                    "%(holder)s belongs to another company than card %(number)s.", holder=partner.name, number=number
                )
            )
        # sudo: a cashier has no create right on cards; the role, the company and the number were checked,
        # and the card is created empty.
        card = (
            self.env["stored.value.card"]
            .sudo()
            ._posting()
            .create(
                {
                    "name": stock.name,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": (currency or company.currency_id).id,
                }
            )
        )
        card._set_state("active")
        if pin:
            if not isinstance(pin, str):
                raise UserError(self.env._("A PIN is 4 to 8 digits."))
            card._set_pin(pin)
        elif pin_hash:
            card._set_pin_hash(pin_hash)
        stock._posting().write(
            {"state": "sold", "card_id": card.id, "sold_date": fields.Datetime.now(), "sold_user_id": self.env.uid}
        )
        card.message_post(
            body=self.env._(
                "Sold from pre-printed batch %(batch)s by %(user)s.", batch=stock.batch_id.name, user=self.env.user.name
            )
        )
        return card.sudo(False)

    def _sale_problem(self, company):
        """Why ``company`` cannot sell this printed number now, as the seller should read it; None if it can."""
        self.ensure_one()
        if self.company_id != company:
            return self.env._(
                "Card %(number)s was printed for %(stock_company)s and cannot be sold by %(company)s.",
                number=self.name,
                stock_company=self.company_id.name,
                company=company.name,
            )
        if self.state == "sold":
            return self.env._("Card %(number)s is already sold.", number=self.name)
        if self.state == "void":
            return self.env._("Card %(number)s was voided and cannot be sold.", number=self.name)
        return None

    @api.model
    def pos_stock_card_state(self, config_id, number):
        """POS: what the scanned ``number`` is among the printed cards: ``{printed, problem}``, where
        ``problem`` says why this shop cannot sell it (already sold, voided, another company's)."""
        Card = self.env["stored.value.card"]
        Card._check_pos_user()
        config = Card._pos_config(config_id)
        number = number.strip() if isinstance(number, str) else ""
        # sudo: a cashier cannot read the stock; only the scanned number's own line is looked at.
        stock = self.sudo().search([("name", "=", number)], limit=1) if number else self.sudo()
        if not stock:
            return {"printed": False, "problem": False}
        return {"printed": True, "problem": stock._sale_problem(config.company_id) or False}

    def action_void(self):
        """Take unsold numbers out of stock (a sheet lost or spoiled at the printer): a manager's action."""
        self.env["stored.value.card"]._check_manager()
        if any(stock.state != "unsold" for stock in self):
            raise UserError(self.env._("Only unsold card numbers can be voided."))
        # sudo: nobody writes stock lines directly; the manager was checked above.
        self.sudo()._posting().write({"state": "void"})
        return True
