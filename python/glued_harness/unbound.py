"""A real resolver for tests: Unbound, pointed at a glued-served root.

    with Unbound(root_hints=[("a.root.", "127.53.0.1")],
                 options={"cache-max-ttl": 3}) as ub:
        m = ub.query("www.child.hlab.", "A")

Unbound asks the addresses of root hints and glue on port 53 (neither root
hints nor glue can carry a port), so the glued it walks must listen on
port 53: Glued(..., port=53), as root or inside a private network namespace
(tests/harness/netns_pytest.sh). Unbound itself listens on `listen` and a
free port (or `port`). The configuration is the lab's (tools/lab): no
validation, no prefetch, no chroot, localhost allowed, one thread; any key
can be replaced or added with `options` (a dict; a list value repeats the
key).

stop() (or leaving the `with` block) ends it by its PID and removes its temp
dir.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from . import dns as _dns
from .server import GluedError, _LIVE, _die_with_parent, _indent, free_port

DEFAULTS = {
    "do-ip4": "yes", "do-ip6": "no", "do-udp": "yes", "do-tcp": "yes",
    "username": '""', "chroot": '""', "pidfile": '""', "use-syslog": "no", "logfile": '""',
    "verbosity": 1, "log-servfail": "yes", "num-threads": 1, "so-reuseport": "no",
    "access-control": "127.0.0.0/8 allow",
    # glued's servers are on 127.x: Unbound refuses to query localhost unless told.
    "do-not-query-localhost": "no",
    "module-config": '"iterator"',
    "harden-referral-path": "no", "prefetch": "no", "prefetch-key": "no",
    "qname-minimisation": "yes", "serve-expired": "no",
    "msg-cache-size": "1m", "rrset-cache-size": "1m", "key-cache-size": "1m",
    "neg-cache-size": "1m",
    "edns-buffer-size": 1232,
    "infra-cache-max-rtt": 2000, "infra-keep-probing": "yes",
    "ede": "yes",
}


class UnboundError(GluedError):
    pass


class Unbound:
    def __init__(self, root_hints, listen="127.0.0.153", port=None, options=None,
                 unbound=None, ready_timeout=10.0):
        self.binary = unbound or shutil.which("unbound") or "/usr/sbin/unbound"
        if not os.access(self.binary, os.X_OK):
            raise UnboundError("no unbound binary (Debian package unbound)")
        self.proc = None
        self.pid = None
        self.returncode = None
        self.host = listen
        self.tmpdir = tempfile.mkdtemp(prefix="glued-ub.")
        self.log_path = os.path.join(self.tmpdir, "unbound.log")
        self._saved_log = ""
        try:
            self.port = port or free_port([listen])
            self.hints_path = os.path.join(self.tmpdir, "root.hints")
            with open(self.hints_path, "w") as f:
                for n in sorted({_dns.absolute(n) for n, _ in root_hints}):
                    f.write(".\t3600000\tIN\tNS\t%s\n" % n)
                for n, a in root_hints:
                    f.write("%s\t3600000\tIN\t%s\t%s\n" % (_dns.absolute(n),
                                                         "AAAA" if ":" in a else "A", a))
            opts = dict(DEFAULTS)
            opts.update({"interface": listen, "port": self.port,
                         "directory": '"%s"' % self.tmpdir,
                         "root-hints": '"%s"' % self.hints_path})
            opts.update(options or {})
            self.conf_path = os.path.join(self.tmpdir, "unbound.conf")
            with open(self.conf_path, "w") as f:
                f.write("server:\n")
                for k, v in opts.items():
                    for one in (v if isinstance(v, (list, tuple)) else [v]):
                        if isinstance(one, bool):
                            one = "yes" if one else "no"
                        f.write("    %s: %s\n" % (k, one))
                f.write("remote-control:\n    control-enable: no\n")
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen([self.binary, "-d", "-p", "-c", self.conf_path],
                                             stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             preexec_fn=_die_with_parent)
            finally:
                log.close()
            self.pid = self.proc.pid
            _LIVE.add(self)
            self._wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout):
        # version.bind CH TXT is answered by Unbound itself: no upstream query.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise UnboundError("unbound exited at start-up (%s):\n%s"
                                   % (self.conf_path, _indent(self.log())))
            try:
                _dns.query(self.host, self.port, "version.bind.", "TXT", qclass="CH", timeout=0.3)
                return
            except (_dns.DNSError, OSError):
                time.sleep(0.05)
        raise UnboundError("unbound did not answer within %.0f s:\n%s" % (timeout, _indent(self.log())))

    def query(self, qname, qtype="A", **kw):
        """Ask Unbound (recursion desired); the parsed dns.Message."""
        kw.setdefault("rd", True)
        kw.setdefault("timeout", 10.0)
        return _dns.query(self.host, self.port, qname, qtype, **kw)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return self._saved_log

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=5.0):
        if self.proc is not None and self.returncode is None:
            if self.proc.poll() is None:
                try:
                    os.kill(self.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    try:
                        os.kill(self.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.proc.wait(timeout=10)
            self.returncode = self.proc.returncode
        _LIVE.discard(self)
        if self.tmpdir and os.path.isdir(self.tmpdir):
            self._saved_log = self.log()
            if os.environ.get("GLUED_HARNESS_KEEP", "") in ("", "0"):
                shutil.rmtree(self.tmpdir, ignore_errors=True)
        return self.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
