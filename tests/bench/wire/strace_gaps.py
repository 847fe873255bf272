#!/usr/bin/env python3
"""Reads `strace -f -tt` output of rua-milter (tests/bench/wire/run.sh) and
prints the proof lines: the TCP_NODELAY setsockopt on the listening socket,
and, per end-of-message reply ('d', discard), the time until the thread's next
read, i.e. until Postfix's next command arrived. Nagle holds that small reply
behind the unacknowledged one before it until the MTA's delayed ACK (~40 ms);
with TCP_NODELAY the gap is well under a millisecond. Reads only its input.

Usage: strace_gaps.py LABEL STRACE_LOG
"""
import re
import statistics
import sys

LABEL, LOG = sys.argv[1:3]
LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")
DISCARD = re.compile(r'^writev?\(\d+, .*\\0\\0\\0\\1d"')


def seconds(h, m, s):
    return int(h) * 3600 + int(m) * 60 + float(s)


nodelay = []
pending = {}  # thread -> time of its last discard reply
gaps = []
with open(LOG, errors="replace") as f:
    for raw in f:
        match = LINE.match(raw.rstrip("\n"))
        if not match:
            continue
        tid, h, m, s, call = match.groups()
        at = seconds(h, m, s)
        if call.startswith("setsockopt(") and "TCP_NODELAY" in call:
            nodelay.append(call)
        elif DISCARD.match(call):
            pending[tid] = at
        elif tid in pending and (call.startswith("read(") or call.startswith("<... read resumed>")):
            gaps.append((at - pending.pop(tid)) * 1000.0)

print(f"{LABEL}: setsockopt TCP_NODELAY calls: {len(nodelay)}")
for call in nodelay:
    print(f"{LABEL}:   {call}")
if gaps:
    slow = sum(1 for g in gaps if g >= 30.0)
    print(f"{LABEL}: end-of-message reply to next MTA command: {len(gaps)} messages, "
          f"median {statistics.median(gaps):.2f} ms, max {max(gaps):.2f} ms, "
          f"{slow} gaps >= 30 ms (delayed ACK)")
else:
    print(f"{LABEL}: no end-of-message reply found in {LOG}")
