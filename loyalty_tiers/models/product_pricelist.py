from odoo import api, models
from odoo.fields import Domain


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    @api.model
    def _load_pos_data_domain(self, data, config):
        """The POS also loads the pricelists of the tiers of its loyalty programmes, which its members get."""
        tier_pricelists = (
            self.env["loyalty.tier"]
            .sudo()
            .search([("program_id", "in", config._get_program_ids().ids), ("pricelist_id", "!=", False)])
            .pricelist_id
        )
        return Domain(super()._load_pos_data_domain(data, config)) | Domain("id", "in", tier_pricelists.ids)
