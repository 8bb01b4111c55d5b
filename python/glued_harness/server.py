"""Start and drive one glued for a test."""

import atexit
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref

from . import config as _config
from . import dns as _dns
from .control import Control, ControlUnavailable, quote_word

# glued processes started by this Python process and not yet stopped:
# killed at interpreter exit whatever happened to their owners.
_LIVE = weakref.WeakSet()
_PORTS_HANDED_OUT = set()


@atexit.register
def _kill_leftovers():
    for g in list(_LIVE):
        try:
            g.stop(timeout=3)
        except Exception:  # every instance gets its chance
            pass


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if this process dies (Linux
    PR_SET_PDEATHSIG), so a harness killed with SIGKILL (a ctest timeout)
    leaves no server behind. Best effort elsewhere."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


try:  # loaded before any fork: the preexec_fn only calls into it
    import ctypes
    _LIBC = ctypes.CDLL(None, use_errno=True) if os.uname().sysname == "Linux" else None
except (ImportError, OSError):
    _LIBC = None


class GluedError(Exception):
    """glued could not be started (or died): the message carries its log."""


def find_glued(path=None):
    """The glued binary: path, else $GLUED, else build/glued below the current
    directory or one of its parents. GluedError if none is executable."""
    cands = [path] if path else []
    if not path and os.environ.get("GLUED"):
        cands.append(os.environ["GLUED"])
    if not cands:
        d = os.getcwd()
        while True:
            cands.append(os.path.join(d, "build", "glued"))
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise GluedError("no glued binary (tried %s): build it (make build), or give GLUED=PATH"
                     % ", ".join(str(c) for c in cands))


def can_bind(host, port):
    """None if host:port can be bound for UDP and TCP right now, else the
    OSError's text."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(fam, kind)
        try:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
        except OSError as e:
            return "%s %s:%d: %s" % ("udp" if kind == socket.SOCK_DGRAM else "tcp", host, port,
                                     e.strerror or e)
        finally:
            s.close()
    return None


def free_port(hosts=("127.0.0.1",), low=20000, high=32000):
    """A port that every host can bind for UDP and TCP now, below the
    kernel's ephemeral range (so that no client socket takes it meanwhile),
    and not handed out before by this process."""
    for _ in range(500):
        p = random.randrange(low, high)
        if p in _PORTS_HANDED_OUT:
            continue
        if all(can_bind(h, p) is None for h in hosts):
            _PORTS_HANDED_OUT.add(p)
            return p
    raise GluedError("no free port on %s between %d and %d" % (", ".join(hosts), low, high))


def _rewrite_dict(cfg, port, control, base_dir):
    """The dict form of config.rewrite: a deep copy with the same changes."""
    cfg = json.loads(json.dumps(cfg))
    hosts = []
    cfg["port"] = port
    cfg["control"] = control
    for srv in cfg.get("servers", []) or []:
        listen = srv.get("listen")
        if listen is None:
            continue
        if not isinstance(listen, list):
            listen = [listen]
        out = []
        for a in listen:
            h, _ = _config.split_address(str(a))
            hosts.append(h)
            out.append(_config.join_address(h, port))
        srv["listen"] = out
        for z in srv.get("zones", []) or []:
            if "file" in z and not os.path.isabs(z["file"]):
                z["file"] = os.path.normpath(os.path.join(base_dir, z["file"]))
    return cfg, hosts


class Glued:
    """One glued process, started on loopback for a test.

    Glued(config)            a YAML configuration: text, a path, or a dict
                             (written out as JSON, which is YAML too)
    Glued(zones=[...])       glued -l HOST:PORT... -z SPEC...: each zone "FILE",
                             "ORIGIN=FILE" or (ORIGIN, FILE); listen=(hosts)

    Every listen address gets one port: a free one (port=None), or the one
    given (port=53 for a hierarchy a real resolver walks; the hosts must be
    bindable). The control socket lives in a private temp dir, with the
    rewritten configuration and glued's logs (stderr in .log_path, the query
    log of log_queries=True in .query_log_path). The constructor returns once
    the control socket answers wait-ready (ready_timeout seconds at most),
    and raises GluedError with the log otherwise.

    stop() (or leaving a `with` block, or the interpreter exiting) ends the
    process by its PID -- SIGTERM, then SIGKILL after a bounded wait -- and
    removes the temp dir (GLUED_HARNESS_KEEP=1 keeps it, for debugging).
    """

    def __init__(self, config=None, *, zones=None, listen=("127.0.0.1",), port=None,
                 glued=None, threads=None, log_queries=False, args=(), base_dir=None,
                 ready_timeout=15.0, control_timeout=30.0, env=None):
        if (config is None) == (zones is None):
            raise ValueError("give a config or zones, not both and not neither")
        self.binary = find_glued(glued)
        self.proc = None
        self.pid = None
        self.port = None
        self.returncode = None
        self._saved_logs = {}
        self._keep = os.environ.get("GLUED_HARNESS_KEEP", "") not in ("", "0")
        self.tmpdir = tempfile.mkdtemp(prefix="glued-h.")
        self.control_path = os.path.join(self.tmpdir, "ctl.sock")
        self.config_path = None
        self.log_path = os.path.join(self.tmpdir, "glued.log")
        self.query_log_path = os.path.join(self.tmpdir, "queries.log")
        self.control = Control(self.control_path, timeout=control_timeout)
        self._status = None
        try:
            self._start(config, zones, list(listen), port, threads, log_queries, list(args),
                        base_dir, ready_timeout, env)
        except BaseException:
            self.stop()
            raise

    # -- starting ----------------------------------------------------------

    def _start(self, config, zones, listen, port, threads, log_queries, args, base_dir,
               ready_timeout, env):
        text, cfg_dict = None, None
        if config is not None:
            if isinstance(config, dict):
                cfg_dict = config
                base = base_dir or os.getcwd()
            elif isinstance(config, os.PathLike) or (
                    isinstance(config, str) and "\n" not in config and os.path.isfile(config)):
                path = os.fspath(config)
                with open(path) as f:
                    text = f.read()
                base = base_dir or os.path.dirname(os.path.abspath(path))
            else:
                text = config
                base = base_dir or os.getcwd()
            base = os.path.abspath(base)
        fixed = port is not None
        attempts = 1 if fixed else 5
        last = ""
        for _ in range(attempts):
            if config is not None:
                probe = _config.rewrite(text, 1, self.control_path, base)[1] if text is not None \
                    else _rewrite_dict(cfg_dict, 1, self.control_path, base)[1]
                hosts = probe or ["127.0.0.1"]
            else:
                hosts = listen
            if fixed:
                for h in hosts:
                    why = can_bind(h, port)
                    if why:
                        raise GluedError("cannot use port %d: %s" % (port, why))
                p = port
            else:
                p = free_port(hosts)
            argv = [self.binary]
            if config is not None:
                self.config_path = os.path.join(self.tmpdir, "glued.yaml")
                if text is not None:
                    out = _config.rewrite(text, p, self.control_path, base)[0]
                else:
                    out = json.dumps(_rewrite_dict(cfg_dict, p, self.control_path, base)[0],
                                     indent=1) + "\n"
                with open(self.config_path, "w") as f:
                    f.write(out)
                argv += ["-c", self.config_path]
            else:
                for h in listen:
                    argv += ["-l", _config.join_address(h, p)]
                for z in zones:
                    if isinstance(z, (tuple, list)):
                        z = "%s=%s" % (z[0], os.path.abspath(z[1]))
                    argv += ["-z", str(z)]
                argv += ["--control", self.control_path]
            if threads:
                argv += ["-t", str(threads)]
            if log_queries:
                argv += ["-q"]
            argv += args
            self.argv = argv
            self.returncode = None
            out = open(self.query_log_path, "ab")
            err = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                             start_new_session=True, env=env,
                                             preexec_fn=_die_with_parent)
            finally:
                out.close()
                err.close()
            self.pid = self.proc.pid
            self.port = p
            _LIVE.add(self)
            if self._wait_started(ready_timeout):
                self._status = self.status()
                return
            last = self.log()
            self.returncode = self.proc.wait()
            _LIVE.discard(self)
            if "in use" not in last.lower():
                break
        raise GluedError("glued did not start (%s):\n%s" % (" ".join(self.argv), _indent(last)))

    def _wait_started(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if os.path.exists(self.control_path):
                try:
                    self.control.call("wait-ready", timeout=2)
                    return True
                except ControlUnavailable:
                    pass
            time.sleep(0.03)
        if self.proc.poll() is None:
            self._signal(signal.SIGKILL)
            self.proc.wait()
        raise GluedError("glued did not get ready within %.0f s (%s):\n%s"
                         % (timeout, " ".join(self.argv), _indent(self.log())))

    # -- the control socket -------------------------------------------------

    def command(self, *words, timeout=None):
        """Any control command; the parsed JSON reply (ControlError if refused)."""
        return self.control.call(*words, timeout=timeout)

    def status(self):
        return self.command("status")

    def set(self, target, what, value):
        """set TARGET glue|truncation|fault VALUE; value is a string or a
        sequence of words ("none", ["partial", 1], "delay 250ms",
        ["refuse", "ede-text=not here"]: each word quoted as needed)."""
        if isinstance(value, (list, tuple)):
            value = " ".join(quote_word(str(v)) for v in value)
        return self.command("set", target, what, value)

    def clear(self, target, what=None):
        return self.command("clear", target, *([what] if what else []))

    def reload(self, zone=None):
        return self.command("reload", *([zone] if zone else []))

    def stats(self, reset=False):
        return self.command("stats", *(["--reset"] if reset else []))

    def server_stats(self, server=None, zone=None, reset=False):
        """One server's counters (the only server if None), or one of its
        zone's (zone="lab."), from stats()."""
        st = self.stats(reset=reset)
        srv = _pick(st["servers"], "server", server)
        if zone is None:
            return srv
        return _pick(srv["zones"], "zone", _dns.absolute(zone).lower())

    def wait_ready(self, timeout=10):
        return self.command("wait-ready", timeout=timeout)

    # -- where it listens -----------------------------------------------------

    @property
    def servers(self):
        """{server name: [(host, port), ...]} as glued reports them."""
        out = {}
        for s in (self._status or self.status())["servers"]:
            out[s["name"]] = [_config.split_address(a) for a in s["listen"]]
        return out

    def address(self, server=None):
        """(host, port) of a server's first listen address (the only server's
        if None)."""
        srv = self.servers
        if server is None:
            if len(srv) != 1:
                raise ValueError("glued serves %d servers: name one (%s)" % (len(srv), ", ".join(srv)))
            server = next(iter(srv))
        return srv[server][0]

    def query(self, qname, qtype="A", server=None, **kw):
        """dns.query() to a server's first address (norecurse by default)."""
        host, port = self.address(server)
        return _dns.query(host, port, qname, qtype, **kw)

    # -- logs -----------------------------------------------------------------

    def log(self):
        """glued's stderr so far (kept after stop())."""
        return self._read(self.log_path, "log")

    def query_log(self):
        """glued's stdout: the query log with log_queries=True."""
        return self._read(self.query_log_path, "queries")

    def _read(self, path, key):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return self._saved_logs.get(key, "")

    # -- stopping -------------------------------------------------------------

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout=10.0):
        """SIGTERM glued by its PID and wait (timeout s), SIGKILL if it does
        not exit; remove the temp dir. Returns the exit status (negative: the
        signal that ended it). Safe to call more than once."""
        if self.proc is not None and self.returncode is None:
            if self.proc.poll() is None:
                self._signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    self.proc.wait(timeout=10)
            self.returncode = self.proc.returncode
        _LIVE.discard(self)
        if self.tmpdir and os.path.isdir(self.tmpdir):
            self._saved_logs["log"] = self.log()
            self._saved_logs["queries"] = self.query_log()
            if not self._keep:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
        return self.returncode

    def kill(self):
        """SIGKILL by PID, then clean up as stop() does."""
        if self.running():
            self._signal(signal.SIGKILL)
        return self.stop(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "<Glued pid=%s port=%s %s>" % (self.pid, self.port,
                                               "running" if self.running() else "stopped")


def _pick(items, key, name):
    if name is None:
        if len(items) != 1:
            raise ValueError("%d entries: name one (%s)" % (len(items), ", ".join(i[key] for i in items)))
        return items[0]
    for i in items:
        if i[key] == name:
            return i
    raise KeyError("no %s %r (there are: %s)" % (key, name, ", ".join(i[key] for i in items)))


def _indent(text, n=40):
    lines = text.splitlines()[-n:]
    return "\n".join("    " + l for l in lines) or "    (no output)"
