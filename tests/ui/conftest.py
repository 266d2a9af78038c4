"""The app's tests never lower the test runner's own priority.

``build_app`` (what ``trackside run`` builds) makes the app lower its CPU
priority once it reads the timer through a recorder process
(competition/process_priority.py). In the test process that would slow every
test after it and every child process it starts; here the request is only
noted (``tests.ui.helpers.yield_requests``). tests/competition/test_process_priority.py checks
the real thing in child processes.
"""

from __future__ import annotations

import pytest

from tests.ui.helpers import yield_requests


@pytest.fixture(autouse=True)
def _keep_the_runners_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    from competition.tui import recorder_link

    def noted() -> int:
        yield_requests.append(1)
        return 0

    monkeypatch.setattr(recorder_link, "yield_to_recorder", noted)
