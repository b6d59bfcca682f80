"""The collector pause around bulk reads always restores the state it found."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetkit.api import check
from sheetkit.runtime.gc_pause import gc_paused

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"


@pytest.fixture(autouse=True)
def collector_back_on() -> Iterator[None]:
    yield
    gc.enable()


def test_paused_inside_and_back_on_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_check_leaves_the_collector_on_also_when_the_source_is_bad(tmp_path: Path) -> None:
    assert check(EXAMPLE, as_of="2026-11-21").report.rows > 0
    assert gc.isenabled()
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(Exception, match="broken.xlsx"):
        check(bad, as_of="2026-11-21")
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_when_the_last_one_ends() -> None:
    import threading

    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(10)
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join(10)
    assert gc.isenabled()
