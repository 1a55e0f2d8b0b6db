"""Looking inside inference: the prompt as tokens, the next-token distribution, provenance and replay.

Plain Python and numpy over engine.runtime, no Qt: the CLI, the engine process and the window's
reshaping of a distribution all use these modules.
"""
