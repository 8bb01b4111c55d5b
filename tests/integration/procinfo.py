"""What /proc says about a server process a test started: its open file
descriptors, its resident memory, and whether it runs under
AddressSanitizer. Each returns -1 (or False) when the process is gone."""

import os


def nfds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def asan(pid):
    """Whether pid runs under AddressSanitizer (freed memory then sits in
    a quarantine, which reads as growth)."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            return "libasan" in f.read()
    except OSError:
        return False
