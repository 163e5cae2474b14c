"""`python -m benchmarks.search [...]`, the same as `python -m benchmarks search [...]`."""

import sys

from benchmarks.search import main

main(sys.argv[1:])
