import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def suite_copy(tmp_path):
    """A copy of the three addons, to break on purpose."""
    for name in ("stored_value_crm", "loyalty_tiers", "customer_feedback"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
