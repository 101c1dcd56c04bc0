"""The test suite's settings: the development ones (DEBUG=1 and its secret key) unless the
environment says otherwise, so that plain `pytest` runs on a clean machine as `make test`
does. Production settings are tested in subprocesses of their own (tests/test_deploy.py)."""

import os

os.environ.setdefault("DEBUG", "1")
# Background tasks run at once, in the test's own transaction (community/background.py);
# tests/test_tasks.py runs the real queue and a real worker.
os.environ.setdefault("HEARTH_TASKS_EAGER", "1")

from community.settings import *  # noqa: E402, F403
