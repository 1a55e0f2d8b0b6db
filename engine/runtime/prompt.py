"""Turning a conversation into the token ids the model sees.

A model with a chat template gets the conversation rendered through it.  A model
without one (a plain completion model) is driven as text continuation: the texts are
joined, an assistant message continuing the text before it.  A conversation that does
not fit the context window loses its oldest turns after the system prompt; how many
were dropped is reported, never hidden.
"""

from __future__ import annotations

import json
from typing import Sequence

from engine.runtime.conversation import Message, system_and_turns
from engine.errors import ChatTemplateError, ContextOverflow, TokenOutOfVocabulary
from engine.runtime.model import LoadedModel


class PromptBuilder:
    def __init__(self, loaded: LoadedModel) -> None:
        self._loaded = loaded
        self._context = loaded.info.context_length

    def encode(self, messages: Sequence[Message]) -> list[int]:
        """Token ids for the whole conversation, ready for the assistant's next reply."""
        tokenizer = self._loaded.tokenizer
        ids = [int(t) for t in tokenizer.encode(self.render(messages))]
        bos = self._loaded.bos_token_id
        if self._loaded.add_bos_token and bos is not None and (not ids or ids[0] != bos):
            ids.insert(0, int(bos))
        self._check_vocabulary(ids)
        return ids

    def fit(self, messages: Sequence[Message], reply_reserve: int) -> tuple[list[int], int]:
        """Ids of the longest tail of the conversation that leaves ``reply_reserve`` tokens free.

        Returns the ids and how many messages were dropped.  Raises ContextOverflow when
        even the last message alone does not fit.
        """
        system, turns = system_and_turns(messages)
        reserve = max(1, min(reply_reserve, self._context // 4))
        dropped = 0
        while True:
            ids = self.encode(system + turns)
            if len(ids) + reserve <= self._context:
                return ids, dropped
            if len(turns) <= 1:
                raise ContextOverflow(
                    f"Your message is too long for this model: it needs {len(ids)} tokens and the model reads at "
                    f"most {self._context - reserve} (with {reserve} kept for the reply); shorten it.")
            turns.pop(0)
            dropped += 1
            while len(turns) > 1 and turns[0].role == "assistant":
                turns.pop(0)
                dropped += 1

    def render(self, messages: Sequence[Message]) -> str:
        """The text the model reads for ``messages`` (before tokenizing and any BOS token)."""
        return self._render(messages) if self._loaded.chat_template else _continuation_text(messages)

    def _render(self, messages: Sequence[Message]) -> str:
        payload = json.dumps([m.to_dict() for m in messages], ensure_ascii=False)
        try:
            return self._loaded.tokenizer.apply_chat_template(
                payload, template_str=self._loaded.chat_template, add_generation_prompt=True)
        except Exception as error:  # noqa: BLE001 - any template failure is reported, never papered over
            raise ChatTemplateError("The model's chat template could not format this conversation; "
                                    "the model folder may be damaged or need a newer LocalChat.", str(error)) from error

    def _check_vocabulary(self, ids: list[int]) -> None:
        limit = self._loaded.info.vocab_size
        bad = [t for t in ids if t < 0 or (limit and t >= limit)]
        if bad:
            raise TokenOutOfVocabulary("The model's tokenizer produced tokens the model does not know; the tokenizer "
                                       "files do not belong to this model.", f"ids {bad[:5]} vs vocab {limit}")


def _continuation_text(messages: Sequence[Message]) -> str:
    text = ""
    for message in messages:
        joiner = "" if message.role == "assistant" or not text else "\n"
        text += joiner + message.content
    return text
