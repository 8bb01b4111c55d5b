"""glued_harness itself: the configuration rewrite, starting glued three
ways (zones, YAML text, a dict), the control commands and their errors, the
DNS client on a referral, and that stop() leaves nothing behind."""

import os

import pytest

from glued_harness import ControlError, ControlUnavailable, Glued, GluedError, config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIFF = os.path.join(REPO, "tests", "data", "diff")
GLUE = ["127.0.11.1", "127.0.11.2", "fd00:11::1", "fd00:11::2"]


def test_rewrite_keeps_the_rest_and_sets_ports_control_and_paths():
    text = """# a lab
port: 5300   # default port
control: old.sock
servers:
  - name: a
    listen: [127.0.0.1, "[::1]:5301"]
    zones:
      - file: parent.zone
        origin: test.
  - name: b
    listen:
    - 127.0.0.2    # block list
    - "127.0.0.3:99"
    zones: [{file: sub/b.zone, origin: b.}]
    dnssec: {keys: k}
  - name: c
    listen: 127.0.0.4
    zones: []
"""
    out, hosts = config.rewrite(text, 4242, "/run/x.sock", "/base")
    assert out == """# a lab
port: 4242 # default port
control: "/run/x.sock"
servers:
  - name: a
    listen: ["127.0.0.1:4242", "[::1]:4242"]
    zones:
      - file: "/base/parent.zone"
        origin: test.
  - name: b
    listen:
    - "127.0.0.2:4242" # block list
    - "127.0.0.3:4242"
    zones: [{file: "/base/sub/b.zone", origin: b.}]
    dnssec: {keys: "/base/k"}
  - name: c
    listen: "127.0.0.4:4242"
    zones: []
"""
    assert hosts == ["127.0.0.1", "::1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    out, _ = config.rewrite("servers: []\n", 1, "/c", "/")
    assert out == 'servers: []\nport: 1\ncontrol: "/c"\n'
    with pytest.raises(ValueError):
        config.rewrite("servers:\n  - listen: [127.0.0.1,\n      127.0.0.2]\n", 1, "/c", "/")


def test_zones_control_and_dns(glued):
    g = glued(zones=["test.=" + os.path.join(DIFF, "parent.zone")])
    assert list(g.servers) == ["default"]
    host, port = g.address()
    assert host == "127.0.0.1" and port == g.port
    assert os.path.exists(g.control_path)

    m = g.query("www.child.test.", "A")
    assert m.rcode == "NOERROR" and sorted(m.flags) == ["qr"]
    assert [(rr.name, rr.type, rr.data) for rr in m.authority] == \
        [("child.test.", "NS", "ns1.child.test."), ("child.test.", "NS", "ns2.child.test.")]
    assert m.addresses("additional") == GLUE
    assert m.edns == {"udp": 1232, "version": 0, "do": False}
    assert g.query("www.child.test.", "A", tcp=True).addresses("additional") == GLUE

    st = g.status()
    assert st["ok"] and st["pid"] == g.pid and st["overrides"] == []
    assert g.set("default/test./child.test.", "glue", "none")["ok"]
    assert g.query("www.child.test.", "A").additional == []
    assert [o for o in g.status()["overrides"]], "the override is listed"
    assert g.set("default/test./child.test.", "glue", ["partial", 1])["ok"]
    assert len(g.query("www.child.test.", "A").additional) == 2  # ns1's A and AAAA
    s = g.server_stats(reset=True)
    assert (s["queries"], s["referrals"], s["glue_withheld"]) == (4, 4, 3)
    assert g.server_stats(zone="test.")["queries"] == 0, "reset"
    g.clear("default/test./child.test.")
    assert g.query("www.child.test.", "A").addresses("additional") == GLUE

    with pytest.raises(ControlError) as e:
        g.set("nosuch", "glue", "none")
    assert "no server 'nosuch' (there are: default)" in e.value.message
    with pytest.raises(ControlError):
        g.clear("default/test./child.test.")  # nothing to clear
    assert g.reload()["ok"]

    g.stop()
    assert g.returncode == 0
    assert not os.path.exists(g.tmpdir)
    assert "SIGTERM: stopping" in g.log(), "the log survives stop()"
    with pytest.raises(ControlUnavailable):
        g.status()
    assert g.stop() == 0, "stop() twice is fine"


def test_yaml_text_and_dict(glued):
    text = """servers:
  - name: parent
    listen: [127.0.0.1]
    zones:
      - file: parent.zone
        origin: test.
  - name: spare
    listen: [127.0.0.2]
    zones: []
"""
    g = glued(text, base_dir=DIFF)
    assert sorted(g.servers) == ["parent", "spare"]
    assert g.query("www.test.", "A", server="parent").answer[0].data == "127.0.17.1"
    assert g.query("www.test.", "A", server="spare").rcode == "REFUSED"
    g.set("parent/test./child.test.", "fault", "servfail")
    assert g.query("www.child.test.", "A", server="parent").rcode == "SERVFAIL"
    g.clear("parent/test./child.test.", "fault")
    # A value with blanks goes through quoted, as glued splits the line.
    g.set("parent/test./child.test.", "fault", ["refuse", "ede=20", "ede-text=not \"here\""])
    m = g.query("www.child.test.", "A", server="parent")
    assert (m.rcode, m.ede) == ("REFUSED", [(20, 'not "here"')])
    g.clear("parent/test./child.test.", "fault")

    d = glued({"servers": [{"name": "p", "listen": ["127.0.0.1", "127.0.0.5"],
                            "zones": [{"file": "parent.zone", "origin": "test."}]}]},
              base_dir=DIFF)
    assert [h for h, _ in d.servers["p"]] == ["127.0.0.1", "127.0.0.5"]
    assert d.query("www.test.", "A", server="p").rcode == "NOERROR"


def test_start_failure_says_why(glued):
    with pytest.raises(GluedError) as e:
        glued(zones=["test.=/nonexistent/parent.zone"])
    assert "/nonexistent/parent.zone" in str(e.value)
