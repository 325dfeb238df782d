"""Run every benchmark module of this package in turn (`python -m bench`).

Modules are found, not listed, so a new `bench/<name>.py` with a `main()` joins without an edit
here. A benchmark that raises is reported and the others still run; the exit status says so.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import bench


def benchmark_modules() -> list[str]:
    names = (info.name for info in pkgutil.iter_modules(bench.__path__) if not info.ispkg)
    return sorted(f"bench.{name}" for name in names if not name.startswith("_"))


def main() -> int:
    failed: list[str] = []
    for name in benchmark_modules():
        module = importlib.import_module(name)
        run = getattr(module, "main", None)
        if not callable(run):
            continue
        print(f"=== {name}", flush=True)
        began = time.monotonic()
        try:
            run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"=== {name} took {time.monotonic() - began:.1f} s\n", flush=True)
    if failed:
        print(f"benchmarks that raised: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
