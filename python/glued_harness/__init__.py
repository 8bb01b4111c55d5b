"""glued_harness -- start glued (and a resolver) from Python tests.

    from glued_harness import Glued

    with Glued(zones=["test.=tests/data/diff/parent.zone"]) as g:
        print(g.query("www.child.test.", "A").authority)
        g.set("default/test./child.test.", "glue", "none")  # -z: server "default"
        print(g.server_stats()["glue_withheld"])

See python/README.md. Standard library only; glued_harness.pytest_plugin
holds the pytest fixtures.
"""

from .control import Control, ControlError, ControlUnavailable
from .dns import DNSError, Message, RR, query
from .server import Glued, GluedError, can_bind, find_glued, free_port
from .unbound import Unbound, UnboundError

__all__ = ["Glued", "GluedError", "Control", "ControlError", "ControlUnavailable", "Unbound",
           "UnboundError", "query", "Message", "RR", "DNSError", "find_glued", "free_port",
           "can_bind"]
__version__ = "0.1.0"
