"""The test suite's settings: the development ones (DEBUG=1 and its secret key) unless the
environment says otherwise, so that plain `pytest` runs on a clean machine as `make test`
does. Production settings are tested in subprocesses of their own (tests/test_deploy.py)."""

import os

os.environ.setdefault("DEBUG", "1")

from community.settings import *  # noqa: E402, F403
