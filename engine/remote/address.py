"""Server addresses: what a user types, made into the base URL the OpenAI API paths hang from."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from engine.errors import InvalidServerAddress

EXAMPLE = "http://localhost:11434/v1"
ENDPOINT_SUFFIXES = ("/chat/completions", "/completions", "/models")


def normalise_base_url(text: str) -> str:
    """``gpu-box:8000`` → ``http://gpu-box:8000/v1``; a pasted endpoint URL loses its endpoint.

    An address with no path gets ``/v1`` (where Ollama, LM Studio, vLLM, llama.cpp and LocalChat all serve
    the API); any other path is kept as typed, since some services put the API elsewhere (see ``path_hint``).
    Raises InvalidServerAddress with one sentence for anything that cannot be a server's address.
    """
    raw = text.strip()
    if not raw:
        raise InvalidServerAddress(f"Type the server's address, for example {EXAMPLE}.")
    if " " in raw:
        raise InvalidServerAddress(f"A server address has no spaces; for example {EXAMPLE}.", raw)
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidServerAddress(f"LocalChat reaches servers over http:// or https://, not {scheme}://.", raw)
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise InvalidServerAddress("The port in the server address must be a number from 1 to 65535.",
                                   raw) from error
    if not host:
        raise InvalidServerAddress(f"The server address needs a host name, for example {EXAMPLE}.", raw)
    if parts.username or parts.password:
        raise InvalidServerAddress("Put the API key in the key field, not in the server address.")
    if parts.query or parts.fragment:
        raise InvalidServerAddress("A server address ends at its path; leave out the ? or # part.", raw)
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    for suffix in ENDPOINT_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urlunsplit((scheme, netloc, path or "/v1", "", ""))


def path_hint(base_url: str) -> str | None:
    """A sentence for an address whose path does not end in a version such as ``/v1`` (usually a mistake)."""
    last = urlsplit(base_url).path.rstrip("/").rsplit("/", 1)[-1]
    if last.startswith("v") and last[1:2].isdigit():
        return None
    return "This address does not end in /v1, where Ollama, LM Studio, vLLM and LocalChat serve their API."


def host_of(base_url: str) -> str:
    """The host and port, as a user would say which server they mean."""
    return urlsplit(base_url).netloc
