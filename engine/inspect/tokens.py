"""Token ids with the text each one stands for, so a prompt can be shown cut at its token boundaries.

onnxruntime-genai decodes special tokens (``<|im_start|>``) to nothing, a byte token alone to a
replacement character, and a SentencePiece word piece with or without its leading space depending
on where it stands.  ``TokenTexts`` therefore decodes through a ``TokenizerStream`` (which joins byte
tokens into characters), takes special tokens' text from the model's ``tokenizer.json``, and lines
the pieces up with the text the chat template produced.  The pieces always join to ``text`` exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from engine.runtime.model import LoadedModel
from engine.runtime.record import END_OF_REPLY, PART_OF_CHARACTER


@dataclass(frozen=True)
class PromptToken:
    id: int
    text: str  # the exact characters of the prompt this token stands for ("" for a leading byte of a character)
    special: bool = False

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text}


def special_tokens(folder: str | Path) -> dict[int, str]:
    """The model's added tokens (id → text) from its tokenizer.json; empty if it cannot be read."""
    try:
        data = json.loads((Path(folder) / "tokenizer.json").read_text(encoding="utf-8-sig"))  # genai allows a BOM
    except (OSError, ValueError, RecursionError):
        return {}
    added = data.get("added_tokens") if isinstance(data, dict) else None
    if not isinstance(added, list):
        return {}
    return {int(t["id"]): str(t["content"]) for t in added
            if isinstance(t, dict) and isinstance(t.get("id"), int) and isinstance(t.get("content"), str)}


class TokenTexts:
    """Texts of token ids for one loaded model."""

    def __init__(self, loaded: LoadedModel) -> None:
        self._loaded = loaded
        self._special = special_tokens(loaded.info.path)
        self._labels: dict[int, str] = {}  # label() runs for every candidate of every step: decode each token once

    def is_special(self, token: int) -> bool:
        return token in self._special

    def label(self, token: int) -> str:
        """One token as a reader can see it on its own: end of reply, a piece of a character, or its text."""
        label = self._labels.get(token)
        if label is None:
            if token in self._loaded.eos_token_ids:
                label = END_OF_REPLY
            elif token in self._special:
                label = self._special[token]
            else:
                text = self._loaded.tokenizer.decode([token])
                label = PART_OF_CHARACTER if not text or "\ufffd" in text else text
            self._labels[token] = label
        return label

    def raw(self, token: int) -> str:
        """One token's text for scripts: special tokens as written, other tokens as the tokenizer decodes them."""
        return self._special.get(token) or self._loaded.tokenizer.decode([token])

    def split(self, ids: Sequence[int], text: str) -> list[PromptToken]:
        """Each id with the part of ``text`` it stands for.

        Where a token's text is not in ``text`` (a BOS the tokenizer adds, or a template whose text does
        not encode back to itself) the token keeps its own text, so the pieces join to the text the
        model actually reads.
        """
        stream = self._loaded.tokenizer.create_stream()
        tokens, position = [], 0
        for token in ids:
            token = int(token)
            if token in self._special:
                piece = self._special[token]
                stream = self._loaded.tokenizer.create_stream()  # a special token ends any pending bytes
                if text.startswith(piece, position):
                    position += len(piece)
                tokens.append(PromptToken(token, piece, special=True))
                continue
            piece = stream.decode(token)
            if text.startswith(piece, position):
                position += len(piece)
            elif piece.startswith(" ") and text.startswith(piece[1:], position):
                piece = piece[1:]  # SentencePiece's leading space, which the text does not have here
                position += len(piece)
            tokens.append(PromptToken(token, piece))
        return tokens


def joined(tokens: Sequence[PromptToken]) -> str:
    return "".join(t.text for t in tokens)
