"""Inference made visible in the window: tokens on replies, the next-token chart, the Inspect dialog."""
