"""Run benchmarks by name: `python -m benchmarks pages`; with no name, every module here."""

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}", file=sys.stderr)
        return 2
    for name in names:
        print(f"== benchmark: {name}")
        module = importlib.import_module(f"benchmarks.{name}")
        status = module.main([a for a in argv if a.startswith("-")])
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
