"""Run the benchmarks of this package (`python -m bench`), or one of them (`python -m bench NAME ...`).

Modules are found, not listed, so a new `bench/<name>.py` with a `main()` joins without an edit
here. A module that sets `RUN_BY_DEFAULT = False` (the half-hour soak) runs only when named;
named, a module's `main` gets the arguments that follow its name. A benchmark that raises is
reported and the others still run; the exit status says so. The threads share the cores as they do
in the app (`share_cores`), so that each figure is the app's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time
import traceback
from collections.abc import Sequence

import bench
from app.runtime.core_sharing import share_cores


def benchmark_modules() -> list[str]:
    names = (info.name for info in pkgutil.iter_modules(bench.__path__) if not info.ispkg)
    return sorted(f"bench.{name}" for name in names if not name.startswith("_"))


def main(argv: Sequence[str] | None = None) -> int:
    share_cores()
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        name, rest = f"bench.{args[0]}", args[1:]
        if name not in benchmark_modules():
            print(
                f"no benchmark called {args[0]!r}; there are: {', '.join(m[6:] for m in benchmark_modules())}"
            )
            return 2
        return _run([name], rest)
    selected = [
        name for name in benchmark_modules() if getattr(importlib.import_module(name), "RUN_BY_DEFAULT", True)
    ]
    return _run(selected, [])


def _run(names: Sequence[str], rest: Sequence[str]) -> int:
    failed: list[str] = []
    for name in names:
        module = importlib.import_module(name)
        run = getattr(module, "main", None)
        if not callable(run):
            continue
        print(f"=== {name}", flush=True)
        began = time.monotonic()
        try:
            if inspect.signature(run).parameters:
                run(list(rest))
            else:
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
