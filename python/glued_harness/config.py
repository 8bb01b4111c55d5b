"""Rewrite a glued YAML configuration for a test run, without a YAML library.

glued's YAML (docs/config.md) is line-oriented enough that the few keys a
harness must change can be rewritten line by line, keeping everything else
(comments, order, the rest of the vocabulary) as it was:

- ``port:`` at the top level becomes the harness's port (added if absent);
- every ``listen:`` entry (a scalar, a one-line flow list ``[a, b]`` or a
  block list of ``- a`` lines) gets that port explicitly, whatever port it
  named: ``127.0.1.1`` -> ``"127.0.1.1:PORT"``, ``"[::1]:5301"`` ->
  ``"[::1]:PORT"``;
- ``control:`` at the top level becomes the harness's socket (added if absent);
- relative ``file:`` and ``keys:`` paths become absolute, resolved against the
  original file's directory (the rewritten file lives in a temp dir), also
  inside a one-line flow mapping (``zones: [{file: a.zone, origin: a.}]``).

``listen:`` must be a key of its own line (not inside a flow mapping), and a
flow list spread over several lines is not supported (ValueError).
"""

import os
import re

_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?P<rest>.*)$")
_FLOW_PATH = re.compile(r"""([{,][ \t]*(?:file|keys)[ \t]*:[ \t]*)("[^"]*"|'[^']*'|[^,}\s]+)""")
_ITEM = re.compile(r"^(?P<lead>[ \t]*-[ \t]+)(?P<rest>.*)$")


def split_comment(s):
    """(value, comment) of the text after a key's colon: the comment starts
    at a '#' after a blank, outside quotes."""
    q = None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "\"'":
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].strip(), s[i:]
    return s.strip(), ""


def unquote(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        inner = v[1:-1]
        if v[0] == '"':
            inner = inner.replace('\\"', '"').replace("\\\\", "\\")
        else:
            inner = inner.replace("''", "'")
        return inner
    return v


def quote(v):
    return '"%s"' % str(v).replace("\\", "\\\\").replace('"', '\\"')


def split_flow(v):
    """The items of a one-line flow list '[a, "b", c]'."""
    inner = v.strip()[1:-1]
    items, cur, q = [], "", None
    for c in inner:
        if q:
            cur += c
            if c == q:
                q = None
        elif c in "\"'":
            q = c
            cur += c
        elif c == ",":
            items.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        items.append(cur)
    return [unquote(i) for i in items if i.strip()]


def split_address(a):
    """(host, port or None) of a listen address in glued's -l syntax."""
    a = a.strip()
    m = re.match(r"^\[([^\]]+)\](?::(\d+))?$", a)
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    if a.count(":") == 1:
        h, p = a.split(":")
        return h, int(p)
    return a, None


def join_address(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def _absolute(path, base_dir):
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(base_dir, path))


def rewrite(text, port, control, base_dir):
    """Return (new_text, hosts): text with the changes above made, and every
    listen host (without port) in the order met."""
    hosts = []

    def addr(a):
        h, _ = split_address(a)
        hosts.append(h)
        return quote(join_address(h, port))

    out = []
    seen_port = seen_control = False
    block = None  # column of a `listen:` whose items follow as `- a` lines
    for line in text.splitlines():
        if block is not None:
            m = _ITEM.match(line)
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                out.append(line)
                continue
            if m and len(line) - len(line.lstrip(" \t")) >= block:
                val, comment = split_comment(m.group("rest"))
                out.append(m.group("lead") + addr(unquote(val)) + (" " + comment if comment else ""))
                continue
            block = None
        if "{" in line:
            # file: / keys: inside a one-line flow mapping ({file: a.zone, origin: a.})
            line = _FLOW_PATH.sub(lambda fm: fm.group(1) + quote(_absolute(unquote(fm.group(2)),
                                                                             base_dir)), line)
        m = _KEY.match(line)
        if not m:
            out.append(line)
            continue
        lead, key = m.group("lead"), m.group("key")
        val, comment = split_comment(m.group("rest"))
        tail = (" " + comment) if comment else ""
        top = lead == ""
        if top and key == "port":
            out.append("port: %d%s" % (port, tail))
            seen_port = True
        elif top and key == "control":
            out.append("control: %s%s" % (quote(control), tail))
            seen_control = True
        elif key == "listen":
            if val == "":
                block = len(lead)
                out.append(line)
            elif val.startswith("["):
                if not val.endswith("]"):
                    raise ValueError("listen: a flow list over several lines is not supported: %r"
                                     % line)
                out.append("%slisten: [%s]%s" % (lead, ", ".join(addr(a) for a in split_flow(val)),
                                                 tail))
            elif val in ("~", "null"):
                out.append(line)
            else:
                out.append("%slisten: %s%s" % (lead, addr(unquote(val)), tail))
        elif key in ("file", "keys") and val not in ("", "~") and not val.startswith("{"):
            out.append("%s%s: %s%s" % (lead, key, quote(_absolute(unquote(val), base_dir)), tail))
        else:
            out.append(line)
    if not seen_port:
        out.append("port: %d" % port)
    if not seen_control:
        out.append("control: %s" % quote(control))
    return "\n".join(out) + "\n", hosts
