"""`python -m bench`: run every benchmark and print one table (none are written yet)."""

import sys

HEADER = ("benchmark", "volume", "median", "p95", "budget")


def main() -> int:
    rows: list[tuple[str, ...]] = []  # each benchmark adds its row here
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(HEADER)]
    print("  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    if not rows:
        print("no benchmark yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
