"""Entry script of the frozen app: the same main() as the `localchat` console script.

app.main.main() calls multiprocessing.freeze_support() first, which is what lets the
engine's child process (multiprocessing "spawn") start from the frozen executable.
"""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
