"""Task runner for people and CI alike: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s interop`."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (interop tests included when LibreOffice's soffice is installed)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def interop(session: nox.Session) -> None:
    """Only the tests where LibreOffice reads back what sheetkit wrote (soffice required)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "interop", *session.posargs, env={"SHEETKIT_REQUIRE_SOFFICE": "1"})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff: style and common bugs."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "sheetkit", "tests", "examples", "benchmarks", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy over the package."""
    session.install("-e", ".[typecheck]")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmark suite (not run by default): `nox -s bench -- --quick`; see docs/benchmarks.md."""
    session.install("-e", ".", "gspread-dataframe")
    session.run("python", "-m", "benchmarks.run", *session.posargs)
