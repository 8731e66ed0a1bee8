from . import controllers, models, report, wizard


def _post_init_hook(env):
    """Give every company with a chart of accounts its deposits and expense accounts and its journal."""
    env["res.company"].search([])._stored_value_setup_accounting()
