"""`python -m tb_scopegraph` runs the command line."""

import sys

from tb_scopegraph.cli import main

if __name__ == "__main__":
    sys.exit(main())
