"""The local OpenAI-compatible server: an HTTP front (Starlette on uvicorn) over the engine boundary."""
