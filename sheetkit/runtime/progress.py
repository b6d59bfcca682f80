"""Progress bars for long work, in a terminal or a notebook, and silence everywhere else.

A bar is shown only when someone is watching: stderr is a terminal, or the code runs in a
Jupyter kernel. Under cron, in CI, in a pipe, or with --quiet, nothing is drawn.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from sheetkit.runtime.text import printable


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where tqdm.auto draws a widget)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def wanted(progress: bool | None) -> bool:
    """Resolve a progress= argument: None means 'when someone is watching'."""
    if progress is not None:
        return progress
    return in_notebook() or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


def _bar_class() -> Any:
    """tqdm's notebook widget when it can draw one (it needs ipywidgets), else the text bar."""
    import importlib.util

    if in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_bar

        return notebook_bar
    from tqdm.std import tqdm as text_bar

    return text_bar


@contextlib.contextmanager
def steps(description: str, total: int, progress: bool | None = None) -> Iterator[Callable[[str], None]]:
    """A bar of ``total`` named steps; call the yielded function with each step's name as it starts."""
    if not wanted(progress):
        yield lambda name: None
        return
    stream = getattr(sys.stderr, "unfiltered", sys.stderr)  # the CLI's escaping wrapper would garble the bar
    bar = _bar_class()(total=total, desc=printable(description), unit="step", leave=False, file=stream)
    started = False

    def advance(name: str) -> None:
        nonlocal started
        if started:
            bar.update(1)
        started = True
        bar.set_postfix_str(name)

    try:
        yield advance
        if started:
            bar.update(1)
    finally:
        bar.close()
