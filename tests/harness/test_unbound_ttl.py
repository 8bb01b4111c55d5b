"""Unbound keeps using a cached delegation after the parent drops its glue,
and SERVFAILs only once that delegation's TTL has run out.

One glued serves a small hierarchy on port 53 of 127.53.x.y (the resolver
asks glue addresses on port 53: neither root hints nor glue carry a port):

    .            root   127.53.0.1   hlab. NS ns1.hlab. + glue
    hlab.        tld    127.53.1.1   child.hlab. NS ns1/ns2.child.hlab., glue
                                     A 127.53.2.1 / .2, NS and glue TTL 3 s
    child.hlab.  child  127.53.2.1, 127.53.2.2
                                     www A 127.53.9.80, * A 127.53.9.99
                                     (TTL 3600), NS and A of ns1/ns2 TTL 3 s

and Unbound (started here, on 127.0.0.153 and a free port; root hints to
a.root. 127.53.0.1, iterator only, no prefetch, cache-min-ttl 0,
cache-max-ttl 5) resolves through it. The steps, and what Unbound answers:

1. glue full: www.child.hlab. A -> NOERROR 127.53.9.80, TTL 5 (3600 capped
   by cache-max-ttl); glued saw one query at the TLD and one at the child.
2. the same question 1.1 s later -> NOERROR 127.53.9.80 from the cache: the
   TTL counted down (3 or 4), and no server of glued saw a query.
3. `set tld/hlab./child.hlab. glue none` (the TLD's referral now has no
   glue: checked on the wire). new1.child.hlab. A, a name never asked ->
   NOERROR 127.53.9.99: Unbound goes straight to the child's addresses it
   cached from the old referral; the TLD sees no query, the child one.
4. once the cached delegation (NS and glue, TTL 3) has expired (sleep until
   4.3 s after it was fetched: Unbound counts TTLs in whole seconds),
   new2.child.hlab. A -> SERVFAIL, no answer: the TLD's glueless referral
   names servers inside child.hlab. that Unbound cannot reach (its log:
   "no addresses for nameservers"); the TLD saw the query and withheld the
   glue of both NS names, the child saw nothing.
5. `clear tld/hlab./child.hlab.` -> new3.child.hlab. A -> NOERROR 127.53.9.99
   at once: Unbound does not trust the glueless delegation it cached in
   step 4 (it has no addresses), asks the TLD again and gets the glue.

Needs port 53 on 127.53.x.y: run it in a private network namespace
(tests/harness/netns_pytest.sh, which ctest uses) or as root on a host where
those addresses are free; otherwise it is skipped, saying why.
"""

import pathlib
import tempfile
import time

import pytest

from glued_harness import can_bind

ROOT_ZONE = """$TTL 3600
.          SOA  a.root. hostmaster.root. 1 3600 600 86400 5
.          NS   a.root.
a.root.    A    127.53.0.1
hlab.      NS   ns1.hlab.
ns1.hlab.  A    127.53.1.1
"""

TLD_ZONE = """$ORIGIN hlab.
$TTL 3600
@          SOA  ns1 hostmaster 1 3600 600 86400 5
@          NS   ns1
ns1        A    127.53.1.1
; the delegation under test: in-domain NS names, glue, TTL 3 s
child    3 NS   ns1.child
child    3 NS   ns2.child
ns1.child 3 A   127.53.2.1
ns2.child 3 A   127.53.2.2
"""

CHILD_ZONE = """$ORIGIN child.hlab.
$TTL 3
@          SOA  ns1 hostmaster 1 3600 600 86400 3
@          NS   ns1
@          NS   ns2
ns1        A    127.53.2.1
ns2        A    127.53.2.2
www   3600 A    127.53.9.80
*     3600 A    127.53.9.99
"""

CONFIG = """servers:
  - name: root
    listen: [127.53.0.1]
    zones: [{file: root.zone, origin: .}]
  - name: tld
    listen: [127.53.1.1]
    zones: [{file: tld.zone, origin: hlab.}]
  - name: child
    listen: [127.53.2.1, 127.53.2.2]
    zones: [{file: child.zone, origin: child.hlab.}]
"""

DELEGATION = "tld/hlab./child.hlab."
DELEGATION_TTL = 3
CACHE_MAX_TTL = 5
ADDRS = ["127.53.0.1", "127.53.1.1", "127.53.2.1", "127.53.2.2"]


def counts(g):
    """{server: queries} and the TLD's glue_withheld, from glued's stats."""
    st = g.stats()
    q = {s["server"]: s["queries"] for s in st["servers"]}
    q["tld_withheld"] = [s for s in st["servers"] if s["server"] == "tld"][0]["glue_withheld"]
    return q


def answer(m):
    return [(rr.name.lower(), rr.type, rr.data) for rr in m.answer]


@pytest.fixture
def zone_dir():
    # Not pytest's tmp_path: it is kept after the run, and under `unshare -r`
    # (netns_pytest.sh as a user) pytest refuses /tmp/pytest-of-root.
    with tempfile.TemporaryDirectory(prefix="glued-ttl.") as d:
        yield pathlib.Path(d)


def test_unbound_keeps_cached_delegation_until_ttl(glued, unbound, zone_dir):
    why = [w for w in (can_bind(a, 53) for a in ADDRS) if w]
    if why:
        pytest.skip("needs port 53 on 127.53.x.y (run tests/harness/netns_pytest.sh, or as root): "
                    + "; ".join(why))
    for name, text in (("root", ROOT_ZONE), ("tld", TLD_ZONE), ("child", CHILD_ZONE)):
        (zone_dir / (name + ".zone")).write_text(text)
    g = glued(CONFIG, port=53, base_dir=str(zone_dir), log_queries=True)
    ub = unbound([("a.root.", "127.53.0.1")],
                 options={"cache-min-ttl": 0, "cache-max-ttl": CACHE_MAX_TTL})

    # 1. glue full: resolves.
    c0 = counts(g)
    assert c0 == {"root": 0, "tld": 0, "child": 0, "tld_withheld": 0}
    m1 = ub.query("www.child.hlab.", "A")
    fetched = time.monotonic()  # the delegation was cached just before this
    assert m1.rcode == "NOERROR"
    assert answer(m1) == [("www.child.hlab.", "A", "127.53.9.80")]
    assert m1.answer[0].ttl == CACHE_MAX_TTL
    c1 = counts(g)
    assert c1["root"] >= 1 and c1["tld"] == 1 and c1["child"] == 1, c1

    # 2. the repeat comes from Unbound's cache.
    time.sleep(1.1)
    m2 = ub.query("www.child.hlab.", "A")
    assert m2.rcode == "NOERROR"
    assert answer(m2) == [("www.child.hlab.", "A", "127.53.9.80")]
    assert CACHE_MAX_TTL - 2 <= m2.answer[0].ttl < m1.answer[0].ttl, m2.answer
    assert counts(g) == c1, "the repeat reached glued"

    # 3. the TLD drops the glue; the cached delegation still works.
    g.set(DELEGATION, "glue", "none")
    ref = g.query("x.child.hlab.", "A", server="tld")
    assert ref.rcode == "NOERROR" and "aa" not in ref.flags
    assert sorted(rr.data for rr in ref.rrs("authority", "NS")) == \
        ["ns1.child.hlab.", "ns2.child.hlab."]
    assert ref.additional == [], "glue none: the referral has no glue"
    c3 = counts(g)
    assert time.monotonic() - fetched < DELEGATION_TTL - 0.5, "too slow to test within the TTL"
    m3 = ub.query("new1.child.hlab.", "A")
    assert m3.rcode == "NOERROR"
    assert answer(m3) == [("new1.child.hlab.", "A", "127.53.9.99")]
    c3b = counts(g)
    assert c3b["tld"] == c3["tld"], "Unbound asked the TLD although the delegation was cached"
    assert c3b["child"] == c3["child"] + 1

    # 4. the cached delegation expires: a new name SERVFAILs.
    time.sleep(max(0.0, fetched + DELEGATION_TTL + 1.3 - time.monotonic()))
    m4 = ub.query("new2.child.hlab.", "A")
    assert m4.rcode == "SERVFAIL"
    assert m4.answer == []
    assert sorted(m4.flags) == ["qr", "ra", "rd"]
    c4 = counts(g)
    assert c4["tld"] > c3b["tld"], "Unbound did not go back to the TLD"
    assert c4["tld_withheld"] >= c3b["tld_withheld"] + 2, "the TLD's referral withheld both glue names"
    assert c4["child"] == c3b["child"], "Unbound reached the child without glue"
    log = ub.log()
    assert "SERVFAIL <new2.child.hlab. A IN>" in log and "no addresses for nameservers" in log, log

    # 5. the glue is back: resolves again, at once.
    g.clear(DELEGATION)
    m5 = ub.query("new3.child.hlab.", "A")
    assert m5.rcode == "NOERROR"
    assert answer(m5) == [("new3.child.hlab.", "A", "127.53.9.99")]
    c5 = counts(g)
    assert c5["tld"] >= c4["tld"] + 1 and c5["child"] == c4["child"] + 1, (c4, c5)
    assert c5["tld_withheld"] == c4["tld_withheld"], "the TLD's new referral carried the glue"
