"""glued's control socket, spoken directly (no gluectl needed).

The protocol (glued(8), CONTROL): connect to the Unix socket, send one line
``COMMAND ARGS [--json]\\n``, read until EOF. The reply is ``ok\\n`` or
``error\\n`` followed by the body; with ``--json`` the body is one JSON object
with ``"ok": true|false``. An error whose body says ``busy: ...`` means glued
is still handing the previous change to its workers: retry shortly.
"""

import json
import socket
import time


def quote_word(w):
    """One word of a command line as glued splits it: a word with blanks,
    quotes or backslashes (or a KEY=VALUE whose value has them) in double
    quotes, with \\" and \\\\ inside."""
    k, eq, v = w.partition("=")
    sp = ' \t\r"\\'
    if not eq or not k or any(c in sp for c in k):
        k, eq, v = "", "", w
    if v and not any(c in sp for c in v):
        return w
    return k + eq + '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ControlError(Exception):
    """glued refused a command (the reply said "ok": false). .reply holds
    the whole JSON reply, .command the command line."""

    def __init__(self, command, message, reply=None):
        super().__init__("%s: %s" % (command, message))
        self.command = command
        self.message = message
        self.reply = reply or {}


class ControlUnavailable(Exception):
    """No glued answers on the socket (absent, refused, no reply in time)."""


class Control:
    """A client of one control socket."""

    def __init__(self, path, timeout=30.0):
        self.path = str(path)
        self.timeout = timeout

    def raw(self, line, timeout=None):
        """Send one command line (without the newline); return (ok, body).
        Retries "busy" replies until timeout. ControlUnavailable when nothing
        answers."""
        if "\n" in line:
            raise ValueError("a control command is one line")
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            reply = self._exchange(line, deadline)
            if reply.startswith("ok\n"):
                return True, reply[3:]
            if reply.startswith("error\n"):
                body = reply[6:]
                if "busy: " in body and time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                return False, body
            raise ControlUnavailable("%s: not a glued control reply: %r" % (self.path, reply[:80]))

    def call(self, *words, timeout=None):
        """Send a command (words joined by blanks) with --json and return the
        parsed JSON reply; ControlError if glued refused it."""
        line = " ".join(str(w) for w in words)
        ok, body = self.raw(line + " --json", timeout=timeout)
        try:
            obj = json.loads(body)
        except ValueError:
            raise ControlUnavailable("%s: %s: the reply is not JSON: %r" % (self.path, line, body[:200]))
        if not ok or not obj.get("ok", False):
            raise ControlError(line, obj.get("error", body.strip()), obj)
        return obj

    def _exchange(self, line, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise ControlUnavailable("%s: no reply in time" % self.path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(left)
            try:
                s.connect(self.path)
            except (FileNotFoundError, ConnectionRefusedError, PermissionError) as e:
                raise ControlUnavailable("cannot connect to %s: %s" % (self.path, e.strerror))
            s.sendall(line.encode() + b"\n")
            s.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ControlUnavailable("%s: no reply in time" % self.path)
                s.settimeout(left)
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks).decode("utf-8", "replace")
        except OSError as e:
            raise ControlUnavailable("%s: %s" % (self.path, e))
        finally:
            s.close()
