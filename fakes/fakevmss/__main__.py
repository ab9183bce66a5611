"""``python -m fakevmss``: see :mod:`fakevmss._cli`."""

import sys

from fakevmss._cli import main

if __name__ == "__main__":
    sys.exit(main())
