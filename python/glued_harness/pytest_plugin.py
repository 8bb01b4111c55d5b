"""pytest fixtures for glued.

Load it with `-p glued_harness.pytest_plugin` (or `pytest_plugins =
["glued_harness.pytest_plugin"]` in a top-level conftest.py); an installed
glued-harness registers it by itself (the pytest11 entry point).

Fixtures:
  glued          a factory: glued(config=..., zones=..., **kw) starts a Glued
                 (same arguments) and returns it; every one it started is
                 stopped (by PID) when the test ends. When the test fails, the
                 logs of each are printed with the report.
  unbound        the same for glued_harness.Unbound(root_hints, ...).
  glued_binary   the glued under test: --glued PATH, else $GLUED, else
                 build/glued in the current directory or above.
"""

import pytest

from .server import Glued, find_glued
from .unbound import Unbound


def pytest_addoption(parser):
    parser.addoption("--glued", action="store", default=None, metavar="PATH",
                     help="the glued binary for the glued fixture (default: $GLUED, else build/glued)")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "_glued_rep_" + rep.when, rep)


def _failed(request):
    return any(getattr(getattr(request.node, "_glued_rep_" + w, None), "failed", False)
               for w in ("setup", "call"))


@pytest.fixture(scope="session")
def glued_binary(pytestconfig):
    return find_glued(pytestconfig.getoption("--glued"))


@pytest.fixture
def glued(request, glued_binary):
    started = []

    def start(config=None, **kw):
        kw.setdefault("glued", glued_binary)
        g = Glued(config, **kw)
        started.append(g)
        return g

    yield start
    for g in reversed(started):
        g.stop()
    if _failed(request):
        for g in started:
            print("\n--- glued pid %s (%s), exit status %s: stderr\n%s"
                  % (g.pid, " ".join(getattr(g, "argv", [])), g.returncode, g.log()[-8000:]))
            ql = g.query_log()
            if ql:
                print("--- its query log (last lines)\n" + "\n".join(ql.splitlines()[-40:]))


@pytest.fixture
def unbound(request):
    started = []

    def start(root_hints, **kw):
        u = Unbound(root_hints, **kw)
        started.append(u)
        return u

    yield start
    for u in reversed(started):
        u.stop()
    if _failed(request):
        for u in started:
            print("\n--- unbound pid %s (%s): log\n%s" % (u.pid, u.conf_path, u.log()[-8000:]))
