from odoo import api, models


class StoredValueCachedMixin(models.AbstractModel):
    """Records an ``ormcache`` keeps: read at every card movement or sale, changed a few times a year.

    Any change to them clears Odoo's caches, so that the next read sees it.
    """

    _name = "stored.value.cached.mixin"
    _description = "Records Kept in a Cache"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
