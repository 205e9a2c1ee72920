"""Prints the summary of a schemathesis run from its JSON report (`--report json`).

usage: python summary.py REPORT.json

Operations, test cases, failures by check (code, title, how many, where),
errors, warnings, and per operation how many generated requests the server
accepted (2xx/3xx) or rejected (4xx), over every phase: an operation that
only ever got 4xx was not really exercised.
"""

import json
import sys


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    ops = d["operations"]
    cases = d["test_cases"]
    phases = ", ".join(f"{name} {p['status']}" for name, p in d["phases"].items())
    print(
        f"operations: {ops['tested']} tested of {ops['selected']} selected ({ops['total']} in the document), "
        f"{ops['errored']} errored, {ops['skipped']} skipped"
    )
    print(f"phases: {phases}; stopped: {d['stop_reason']}; schemathesis time {d['running_time']:.0f}s")
    print(
        f"test cases: {cases['generated']} generated, {cases['with_failures']} with failures "
        f"({cases['unique_failures']} unique), {cases['errored']} errored"
    )
    failures = d.get("failures") or []
    if failures:
        print("failures by check:")
        for f in sorted(failures, key=lambda f: f["code"]):
            print(f"  {f['code']} {f['title']} ({f['type']}): {f['count']}")
            for op in f["operations"]:
                print(f"      {op}")
    else:
        print("failures by check: none")
    for e in d.get("errors") or []:
        print(f"error: {json.dumps(e)[:500]}")
    warnings = {k: v for k, v in (d.get("warnings") or {}).items() if v}
    for name, where in warnings.items():
        print(f"warning {name}: {', '.join(map(str, where))}")
    rates = d.get("valid_rates") or {}
    if rates:
        print("requests accepted / rejected per operation (all phases):")
        width = max(len(op) for op in rates)
        for op in sorted(rates, key=lambda o: (o.split(" ", 1)[1], o)):
            accepted = sum(p.get("accepted", 0) for p in rates[op].values())
            rejected = sum(p.get("rejected", 0) + p.get("unreachable", 0) for p in rates[op].values())
            print(f"  {op:<{width}}  {accepted:>6} / {rejected:<6}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    main(sys.argv[1])
