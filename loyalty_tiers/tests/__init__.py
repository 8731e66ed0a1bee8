from . import test_installation
