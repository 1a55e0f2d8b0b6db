"""The local server's widgets (the wiring is app/server/in_window.py)."""
