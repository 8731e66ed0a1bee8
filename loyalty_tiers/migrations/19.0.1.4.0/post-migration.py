"""The nightly figures of the customers lose the index Odoo gave them as company-dependent fields (see
res.partner): Odoo keeps an index a field no longer declares, so the upgrade drops them."""

from odoo.tools import SQL

from odoo.addons.loyalty_tiers.models.res_partner import MEMBER_FIGURES


def migrate(cr, version):
    for fname in sorted(MEMBER_FIGURES - {"loyalty_tier_id"}):  # the tier is a plain column, indexed
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"res_partner__{fname}_index")))
