#!/usr/bin/env python3
"""Prints the wire benchmark's medians and ratios from the per-run lines that
tests/bench/wire/run.sh collected ("MODE MSG_PER_S [MEDIAN_MS]"). Goals
(issue 8): ordinary mail with rua-milter >= 0.95x no milter; report mail with
rua-milter >= 0.5x the same mail with no milter. Reads only its inputs.

Usage: summary.py PLAIN_TXT REPORT_TXT N_PLAIN N_REPORT ROUNDS
"""
import statistics
import sys

PLAIN, REPORT, N_PLAIN, N_REPORT, ROUNDS = sys.argv[1:6]


def medians(path):
    runs = {}
    for line in open(path):
        fields = line.split()
        if len(fields) >= 2:
            runs.setdefault(fields[0], []).append(float(fields[1]))
    return {mode: (statistics.median(v), v) for mode, v in runs.items()}


plain = medians(PLAIN)
report = medians(REPORT)
print(f"wire benchmark: {ROUNDS} interleaved rounds, 8 sessions; ordinary {N_PLAIN} msg/run "
      f"(smtp-source), reports {N_REPORT} msg/run (report_sender, distinct reports)")
for title, table in (("ordinary mail", plain), ("report mail", report)):
    for mode, (median, runs) in sorted(table.items()):
        listed = ", ".join(f"{r:.1f}" for r in runs)
        print(f"  {title:13} {mode:6} median {median:7.1f} msg/s   (runs: {listed})")


def ratio(table, mode, goal, title):
    if mode in table and "none" in table:
        value = table[mode][0] / table["none"][0]
        verdict = "meets" if value >= goal else "misses"
        print(f"  ratio {title} {mode}/none = {value:.2f} (goal >= {goal}: {verdict})")


for mode in ("milter", "old"):
    ratio(plain, mode, 0.95, "ordinary")
    ratio(report, mode, 0.5, "report  ")
