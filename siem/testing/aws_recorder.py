"""Pytest plugin: record every AWS operation the service's code performs during the test run.

At the end of the run, every recorded operation must be allowed by docs/iam-policy.json, or the
run fails and lists the missing IAM actions. That keeps the policy in step with the code.

Recording works through botocore's event system. A handler on `creating-client-class` (added
to botocore's built-in handlers, which every new session registers, as moto does) gives each
client class a mixin. A client created from service code registers a `before-parameter-build`
handler, which fires for every API call, including calls that moto mocks. Clients that tests
and fixtures create themselves (to make buckets or log groups in moto) are not recorded,
because the service never makes those calls.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from botocore.handlers import BUILTIN_HANDLERS

from siem.testing.iam import POLICY_PATH, iam_action, load_policy, missing_actions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOOLING_DIR = Path(__file__).resolve().parent

# Each sink maps an IAM action to the test that first performed it. The innermost sink
# receives the calls, so a test can record into its own sink without touching the run's.
_sinks: list[dict[str, str]] = [{}]
_current_test = "(outside any test)"


class _RecordingClientMixin:
    """Mixin for every botocore client class; records calls of clients made by service code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if created_by_service_code(sys._getframe(1)):
            self.meta.events.register("before-parameter-build", _record_operation)


def _add_recording_mixin(base_classes: list[type], **kwargs: Any) -> None:
    if _RecordingClientMixin not in base_classes:
        base_classes.insert(0, _RecordingClientMixin)


def _record_operation(model: Any, **kwargs: Any) -> None:
    action = iam_action(model.service_model.signing_name, model.name)
    _sinks[-1].setdefault(action, _current_test)


BUILTIN_HANDLERS.append(("creating-client-class", _add_recording_mixin))


def created_by_service_code(frame: FrameType | None) -> bool:
    """Decide from the call stack whether the innermost project frame is service code."""
    while frame is not None:
        kind = classify_source(Path(frame.f_code.co_filename))
        if kind != "outside":
            return kind == "service"
        frame = frame.f_back
    return False


def classify_source(path: Path) -> str:
    """Return `service`, `test` or `outside` (libraries and this tooling) for a source file."""
    try:
        relative = path.resolve().relative_to(PROJECT_ROOT)
    except (OSError, ValueError):
        return "outside"
    if relative.parts[0].startswith(".") or path.resolve().is_relative_to(TOOLING_DIR):
        return "outside"
    is_test = (
        "tests" in relative.parts[:-1]
        or relative.name.startswith("test_")
        or relative.name == "conftest.py"
    )
    return "test" if is_test else "service"


@contextmanager
def isolated_recording() -> Iterator[dict[str, str]]:
    """Record the calls made inside the block into a separate mapping, outside the run's check."""
    sink: dict[str, str] = {}
    _sinks.append(sink)
    try:
        yield sink
    finally:
        _sinks.remove(sink)


def recorded_actions() -> dict[str, str]:
    """Return the IAM actions recorded so far in the run, with the first test that used each."""
    return dict(_sinks[0])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    global _current_test
    _current_test = item.nodeid
    try:
        return (yield)
    finally:
        _current_test = "(outside any test)"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return
    missing = missing_actions(set(_sinks[0]), load_policy())
    session.config.stash[_missing_key] = missing
    if missing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    recorded = _sinks[0]
    missing = config.stash.get(_missing_key, [])
    terminalreporter.section("AWS operations performed by the service")
    if not recorded:
        terminalreporter.write_line("none recorded")
    for action in sorted(recorded):
        marker = "MISSING FROM POLICY" if action in missing else "allowed"
        terminalreporter.write_line(f"{action:45} {marker:20} first used by {recorded[action]}")
    if missing:
        terminalreporter.write_line(
            f"{POLICY_PATH.relative_to(PROJECT_ROOT)} does not allow: {', '.join(missing)}. "
            "Add these actions to the policy, scoped to the resources they need.",
            red=True,
        )


_missing_key = pytest.StashKey[list[str]]()
