"""LocalChat application layer: entry points, CLI, wiring, storage, settings."""

__version__ = "0.1.0"
