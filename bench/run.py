"""`make bench`: run every benchmark under bench/ in turn; each prints its figures as ratios to a
baseline measured in the same run. Pass names to run only some: `python bench/run.py ledger`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("ledger", "matching", "imports", "reports", "web")  # web: bench/web.py --quick (pass --full to it directly)


def main(argv: list[str]) -> int:
    names = argv or [name for name in ORDER if (HERE / f"{name}.py").exists()]
    failed = []
    for name in names:
        script = HERE / f"{name}.py"
        if not script.exists():
            print(f"no benchmark named {name}", file=sys.stderr)
            return 2
        print(f"\n=== bench/{name}.py ===", flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
