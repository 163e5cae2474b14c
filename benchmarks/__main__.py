"""`python -m benchmarks [NAME ...]`: run the named benchmark modules (all but `ab` when none given).

Each area keeps its benchmark in its own module (benchmarks/<name>.py) or package
(benchmarks/<name>/) with a `main(argv: list[str]) -> None`; extra arguments after the name go
to it. The modules the benchmarks share are not benchmarks.
"""

import importlib
import pkgutil
import sys
from pathlib import Path

import benchmarks

SHARED_MODULES = {"__main__", "broker", "corpus"}
# Run only when named: ab needs the revision to compare with.
NAMED_ONLY = {"ab"}


def available() -> list[str]:
    names = [
        m.name for m in pkgutil.iter_modules([str(Path(benchmarks.__file__).parent)]) if m.name not in SHARED_MODULES
    ]
    # pages times the reader pages at the size of the archive that search builds: run it after.
    return sorted(names, key=lambda name: (name == "pages", name))


def main(argv: list[str]) -> None:
    names = [argv[0]] if argv and not argv[0].startswith("-") else [n for n in available() if n not in NAMED_ONLY]
    rest = argv[1:] if argv and not argv[0].startswith("-") else argv
    for name in names:
        if name not in available():
            sys.exit(f"unknown benchmark {name!r}: available are {', '.join(available())}")
        print(f"== benchmark: {name}", flush=True)
        importlib.import_module(f"benchmarks.{name}").main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
