"""How long a GUI test waits for something to happen before it fails.

A wait is not a measurement: it only bounds how long a broken test hangs.  It is set for a
slow machine with every core busy (a whole reply of the slow counting model included), and a
passing test never waits for it.
"""

WAIT_MS = 120_000
