# Two commands: `make run` (demo server) and `make test` (everything CI runs).
# Odoo 19 is found as an importable `odoo` in the Python below, or through ODOO_PATH (see README).

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ADDONS ?= stored_value_crm,loyalty_tiers,customer_feedback

.PHONY: run test test-odoo-apps lint pot readme venv clean bench bench-pos bench-contention bench-replay bench-recompute

# The project's virtualenv sees the system's site-packages, so an Odoo installed there is used as is.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv --system-site-packages $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# With ODOO_PATH, that tree's requirements go into the virtualenv (again whenever ODOO_PATH changes).
venv: $(STAMP)
	@if [ -n "$$ODOO_PATH" ] && [ "$$(cat $(VENV)/.odoo-path 2>/dev/null)" != "$$ODOO_PATH" ]; then \
		echo "Installing the requirements of the Odoo tree in ODOO_PATH=$$ODOO_PATH"; \
		$(VPY) -m pip install --quiet -r "$$ODOO_PATH/requirements.txt" \
			&& $(VPY) -m pip install --quiet -r requirements-dev.txt \
			&& echo "$$ODOO_PATH" > $(VENV)/.odoo-path || exit 1; \
	fi

run: venv
	$(VPY) -m tools.serve

test: venv
	$(VPY) -m tools.run_tests --addons $(ADDONS)

# Odoo's own suites of the apps we extend, with the suite installed (BASELINE=1: without it).
test-odoo-apps: venv
	$(VPY) -m tools.test_odoo_apps $(if $(BASELINE),--baseline)

lint: venv
	$(VPY) -m tools.run_tests --static-only

pot: venv
	$(VPY) -m tools.update_translations --addons $(ADDONS)

readme: venv
	$(VPY) -m tools.addon_readme

# Benchmarks against plain Odoo (README, Performance); each prints its figures and ratios last.
# ORDERS (each bench's own sense: of each kind, per client, in all), PARTNERS and LINES make them smaller.
bench: bench-pos bench-recompute bench-contention bench-replay

bench-pos: venv
	$(VPY) -m bench.pos_sync $(if $(ORDERS),--orders $(ORDERS))

bench-contention: venv
	$(VPY) -m bench.wallet_contention $(if $(ORDERS),--orders $(ORDERS))

bench-replay: venv
	$(VPY) -m bench.replay $(if $(ORDERS),--orders $(ORDERS))

bench-recompute: venv
	$(VPY) -m bench.bulk_recompute $(if $(PARTNERS),--partners $(PARTNERS)) $(if $(LINES),--lines $(LINES))

clean:
	rm -rf $(VENV) .local
