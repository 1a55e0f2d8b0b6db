"""One family of errors: each carries a plain sentence for the user and detail for the log."""

from __future__ import annotations


class LocalChatError(Exception):
    """Base of every error LocalChat shows to a user.

    ``user_message`` is one plain sentence saying what happened and what to do;
    ``detail`` is for the log (paths, library messages).
    """

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(user_message if not detail else f"{user_message} ({detail})")
        self.user_message = user_message
        self.detail = detail


class ModelFolderMissing(LocalChatError):
    pass


class NotAGenaiModel(LocalChatError):
    pass


class ModelFileBroken(LocalChatError):
    pass


class UnsupportedModelType(LocalChatError):
    pass


class ProviderUnavailable(LocalChatError):
    pass


class TokenOutOfVocabulary(LocalChatError):
    pass


class OutOfMemory(LocalChatError):
    pass


class InvalidSetting(LocalChatError):
    pass


class ContextOverflow(LocalChatError):
    pass


class ChatTemplateError(LocalChatError):
    pass


class GenerationFailed(LocalChatError):
    pass


class EngineCrashed(LocalChatError):
    pass


class InvalidServerAddress(LocalChatError):
    """A server address that is not an http(s) URL LocalChat can use."""


class ServerUnreachable(LocalChatError):
    """No connection to the server, or it stopped answering (refused, unknown host, timeouts)."""


class ServerRefusedKey(LocalChatError):
    """The server answered 401 or 403: a missing or wrong API key."""


class RemoteModelMissing(LocalChatError):
    """The server has no model by the name asked for."""


class ServerFailed(LocalChatError):
    """The server answered with an error, or with something that is not an OpenAI-compatible reply."""


class GenaiMissing(LocalChatError):
    """No onnxruntime-genai flavour is installed, so no model can run."""


class FlavourConflict(LocalChatError):
    """Two onnxruntime-genai (or onnxruntime) distributions write the same module."""
