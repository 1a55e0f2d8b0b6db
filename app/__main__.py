"""``python -m app`` runs LocalChat like the ``localchat`` command."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
