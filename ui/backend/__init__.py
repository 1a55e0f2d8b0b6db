"""Choosing the engine: this computer, or an OpenAI-compatible server (widgets only; the app builds backends)."""
