from odoo import api, models

from .stored_value_reveal import writes_reveals


class StoredValueRevealingSearch(models.AbstractModel):
    """The client's searches of a model whose members are masked: a masked user who finds a member by
    their exact whole number (phone, email, card number) sees that member in full (``stored.value.reveal``).

    A model says how in :meth:`_stored_value_reveal_searched` (a search domain) and
    :meth:`_stored_value_reveal_named` (a name search); searches by part of a number reveal nothing.
    """

    _name = "stored.value.revealing.search"
    _description = "Searches Revealing Members Found by Their Exact Number"

    @api.model
    def _stored_value_reveal_searched(self, domain, offset=0, limit=None, order=None):
        """Reveal to a masked user the members the search ``domain`` finds by an exact number."""

    def _stored_value_reveal_named(self, name):
        """Reveal to a masked user the members of these records (a name search's result) numbered ``name``."""

    @api.model
    @writes_reveals
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        self._stored_value_reveal_searched(domain, offset=offset, limit=limit, order=order)
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    @api.model
    @writes_reveals
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        self._stored_value_reveal_searched(domain, offset=offset, limit=limit, order=order)
        return super().search_read(domain, fields, offset=offset, limit=limit, order=order, **read_kwargs)

    @api.model
    @writes_reveals
    def web_name_search(self, name, specification, domain=None, operator="ilike", limit=100):
        return super().web_name_search(name, specification, domain=domain, operator=operator, limit=limit)

    @api.model
    @writes_reveals
    def name_search(self, name="", domain=None, operator="ilike", limit=100):
        result = super().name_search(name, domain=domain, operator=operator, limit=limit)
        if isinstance(name, str) and name.strip() and result and self.env["stored.value.reveal"]._masks_current_user():
            found = self.browse([record_id for record_id, _name in result])
            found._stored_value_reveal_named(name.strip())
            result = [(record.id, record.display_name) for record in found]
        return result
