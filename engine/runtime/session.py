"""A chat session: one model, one generator whose KV cache carries over between turns.

The token loop is the one from onnxruntime-genai's examples (``append_tokens``,
``generate_next_token``, ``TokenizerStream.decode``).  Around it:

* KV reuse.  The session remembers which token ids are in the cache.  The next turn's
  prompt is compared with them; the common prefix is kept (``rewind_to``) and only
  the rest is processed.  An edit or regenerate keeps whatever prefix still matches.
* Exact reuse.  A model's kernels need not compute a token the same way alone as in a
  batch: on smollm2-135m (int4) a token fed by itself gets logits up to 0.7 away from the
  same token inside a prefill, while any batch of two or more matches a one-shot prefill
  bit for bit.  So only cache entries computed in batches are reused ("settled"), and at
  least two prompt tokens are always fed again.  A reply's own tokens are computed one at
  a time; ``settle()`` computes them again in batches after the reply, while the user
  reads it, so the next turn can reuse them.  That way a turn gives exactly the reply a
  fresh prefill of the same conversation gives, and a seed repeats a reply whatever the
  cache went through.
* Capacity.  genai's ``max_length`` counts prompt plus reply and sizes the KV buffer.
  The generator is made once (``prepare()``, when the model loads), for the model's whole
  context when memory allows (engine.runtime.capacity), so no turn waits for a rebuild; a
  new conversation rewinds it to the start instead of allocating again.  Only a conversation longer than
  memory allows starts a bigger generator.
* Sampling.  Greedy replies without a repetition penalty use the library's own
  ``generate_next_token``; everything else is drawn by engine.runtime.sampling from the
  generator's logits, so seeds repeat exactly even on a reused cache.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from engine.inspect.distribution import SHORTLIST, NextTokenDistribution, measure
from engine.inspect.identity import BackgroundHash, ModelHasher, Provenance, current_versions
from engine.inspect.steps import forced_step
from engine.inspect.tokens import TokenTexts
from engine.inspect.xray import PromptXray, build_xray
from engine.runtime.capacity import generator_capacity, memory_budget
from engine.runtime.conversation import Message, system_and_turns
from engine.errors import GenerationFailed, LocalChatError, ModelFileBroken, OutOfMemory
from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel
from engine.runtime.prompt import PromptBuilder
from engine.runtime.record import Alternative, ReplyRecord, TokenStep
from engine.runtime.sampling import Candidate, Sampler
from engine.runtime.settings import MAX_SEED, SamplingSettings

SETTLE_BATCH = 64  # tokens per batch when settling a reply (a request waiting is noticed between batches)


class Reply:
    """An iterator of text chunks; ``record`` holds the figures once it is exhausted, and ``steps`` the
    token choices when they were asked for."""

    def __init__(self, chunks: Iterator[str], record: ReplyRecord, steps: list[TokenStep] | None = None,
                 token_ids: list[int] | None = None) -> None:
        self._chunks = chunks
        self.record = record
        self.steps: list[TokenStep] = steps if steps is not None else []
        self.token_ids: list[int] = token_ids if token_ids is not None else []  # every token of the reply
        self.provenance: Provenance | None = None  # set when the reply ends

    def __iter__(self) -> Iterator[str]:
        return self._chunks

    def text(self) -> str:
        """Consume the whole reply and return it."""
        return "".join(self._chunks)


class ChatSession:
    def __init__(self, loaded: LoadedModel, kv_budget: int | None = None,
                 hasher: ModelHasher | None = None) -> None:
        """``kv_budget``: bytes the KV buffer may take (default: this machine's share, see engine.runtime.capacity).

        The generator is made by the first reply, or earlier by ``prepare()``."""
        self.loaded = loaded
        self._prompt = PromptBuilder(loaded)
        self._kv_budget = kv_budget if kv_budget is not None else memory_budget(loaded.info.provider)
        self._generator: Any = None
        self._capacity = 0
        self._cached: list[int] = []
        self._settled = 0  # how many of the cached tokens were computed in batches (see "Exact reuse")
        self._has_run = False  # a prefill has worked: a failure before that is the model folder's, not the reply's
        self.texts = TokenTexts(loaded)
        self.hasher = hasher or ModelHasher()
        self._hash = BackgroundHash(self.hasher, loaded.info.path)

    def prepare(self) -> None:
        """Make the generator now (its KV buffer is allocated up front), so the first reply does not wait for it.

        If that fails, the first reply tries again and reports why, after the checks on its prompt."""
        if self._generator is not None:
            return
        try:
            self._new_generator(1)
        except Exception:  # noqa: BLE001 - not lost: the first reply makes it again and reports the error
            self._drop_generator()

    def reply(self, messages: Sequence[Message], settings: SamplingSettings,
              cancel: threading.Event | None = None, explain: int = 0, forced: Sequence[int] = (),
              prefix_steps: Sequence[TokenStep] = ()) -> Reply:
        """Start the assistant's reply to ``messages``; nothing runs until it is iterated.

        Settings are checked now, so a bad value fails before anything is generated.  With
        ``explain`` > 0 the reply also records, for every token, that many of the tokens the model
        found most likely (``Reply.steps``); that reads the logits at every step, so it is off by default.

        ``forced`` makes the reply start with those tokens ("continue from this alternative": an
        earlier reply's first tokens, then the token chosen instead of its next one); the tokens the
        cache already holds are reused, and the reply continues after them as usual.  ``prefix_steps``
        are the token choices already known for all but the last forced token.
        """
        settings.validated()
        seed = settings.seed if settings.seed is not None else random.randint(0, MAX_SEED)
        record = ReplyRecord(provider=self.loaded.info.provider, seed=seed)
        steps: list[TokenStep] = list(prefix_steps) if explain else []
        token_ids: list[int] = []
        request = _Request(settings, seed, cancel or threading.Event(), explain, steps, tuple(int(t) for t in forced),
                           token_ids)
        reply = Reply(self._stream(list(messages), request, record), record, steps, token_ids)
        request.reply = reply
        return reply

    def model_hash(self, fresh: bool = False) -> str:
        """The content hash of the loaded model's files (computed once in the background, then cached)."""
        return self.hasher.folder_hash(self.loaded.info.path, fresh=True) if fresh else self._hash.result()

    def provenance(self, settings: SamplingSettings, seed: int | None) -> Provenance:
        info = self.loaded.info
        localchat, genai_release = current_versions()
        return Provenance(model_name=info.name, model_path=info.path, model_hash=self.model_hash(),
                          provider=info.provider, settings={**settings.to_dict(), "seed": seed},
                          localchat_version=localchat, genai_version=genai_release)

    def prompt_xray(self, messages: Sequence[Message], reply_reserve: int = 512) -> PromptXray:
        """The exact text and tokens a reply to ``messages`` would read, cut into its parts."""
        system, turns = system_and_turns(messages)
        ids, dropped = self._prompt.fit(messages, reply_reserve)
        kept = system + turns[dropped:]
        return build_xray(self.texts.split(ids, self._prompt.render(kept)), kept, turns[:dropped])

    def next_token(self, messages: Sequence[Message], reply_reserve: int = 512,
                   count: int = SHORTLIST) -> NextTokenDistribution:
        """The distribution of the reply's next token, from one forward pass (reusing the KV cache).

        The cache is then put back as the conversation left it, so the next reply computes exactly what it
        would have without this look (which is what lets a replay repeat it)."""
        ids, _dropped = self._prompt.fit(messages, reply_reserve)
        with self._inspection() as prefill:
            prefill(ids, len(ids) + 1)
            logits = self._generator.get_logits()
        return measure(logits, ids, self.texts.label, count, prompt_tokens=len(ids))

    def explain_reply(self, messages: Sequence[Message], settings: SamplingSettings, token_ids: Sequence[int],
                      count: int = 5) -> list[TokenStep]:
        """Token choices for a reply written earlier without them: its tokens are fed back one at a time and
        the model's distribution read before each (what the settings made of it included)."""
        settings.validated()
        ids, _dropped = self._prompt.fit(messages, settings.max_new_tokens)
        steps: list[TokenStep] = []
        with self._inspection() as prefill:
            prefill(ids, len(ids) + len(token_ids) + 1)
            for index, token in enumerate(token_ids):
                if index:
                    self._generator.append_tokens([int(token_ids[index - 1])])
                    self._cached.append(int(token_ids[index - 1]))
                steps.append(forced_step(self._generator.get_logits(), settings, ids + list(token_ids[:index]),
                                         int(token), count, self.texts.label))
        return steps

    @contextmanager
    def _inspection(self) -> Iterator[Callable[[list[int], int], int]]:
        """Run a look at the model on the conversation's cache, then put the cache back as the conversation
        left it: the look's own tokens are dropped, so the next reply is exactly what it would have been."""
        before = list(self._cached)
        looked: list[list[int]] = []
        settled: list[int] = []

        def prefill(ids: list[int], needed: int) -> int:
            reused = self._prefill(ids, needed)
            looked.append(ids)
            settled.append(self._settled)
            return reused

        try:
            yield prefill
            keep = min(len(before), _common_prefix(before, looked[0])) if looked else 0
            if keep < len(self._cached):
                self._generator.rewind_to(keep)
            self._cached = before[:keep]
            self._settled = min(keep, settled[0]) if settled else 0
        except LocalChatError:
            self._drop_generator()
            raise
        except Exception as error:  # noqa: BLE001 - the library's errors become one plain sentence
            self._drop_generator()
            raise self._failure(error) from error

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return len(self._prompt.encode(messages))

    @property
    def capacity(self) -> int:
        """Tokens the current generator holds (genai's ``max_length``)."""
        return self._capacity

    def forget(self, free_memory: bool = True) -> None:
        """Reuse nothing on the next reply.  By default the generator and its KV buffer are freed (the next
        reply makes a new one); with ``free_memory=False`` it is kept and rewound to the start instead."""
        if free_memory:
            self._drop_generator()
        self._cached, self._settled = [], 0

    def settle(self, stop: Callable[[], bool] | None = None) -> int:
        """Compute the last reply's tokens again in batches so the next turn can reuse them exactly.

        Meant for the pause after a reply (the engine process calls it once the reply is sent).  ``stop`` is
        asked between batches; when it says a request is waiting, settling ends there and the next turn
        processes the rest itself.  Returns how many tokens were settled.  A failure only drops the generator:
        the next reply makes a new one and reports what goes wrong then.
        """
        start = self._settled
        if self._generator is None or len(self._cached) - start < 2:
            return 0
        try:
            self._generator.rewind_to(start)
            while len(self._cached) - self._settled >= 2:
                end = self._settled + SETTLE_BATCH
                end = len(self._cached) if len(self._cached) - end < 2 else end  # never leave one token alone
                self._generator.append_tokens(self._cached[self._settled:end])
                self._settled = end
                if stop is not None and self._settled < len(self._cached) and stop():
                    break
            del self._cached[self._settled:]
        except Exception:  # noqa: BLE001 - not lost: the next reply starts afresh and reports its own errors
            self._drop_generator()
        return self._settled - start

    def _failure(self, error: Exception) -> LocalChatError:
        """A library error as one sentence; a model that never ran a step (a bad genai_config.json) is at fault."""
        failure = _generation_error(error)
        if self._has_run or isinstance(failure, OutOfMemory):
            return failure
        return ModelFileBroken(f"The model in {self.loaded.info.name} failed on its first step, so its files are "
                               "damaged or do not fit together; download the model again or choose another folder.",
                               failure.detail)

    def _drop_generator(self) -> None:
        """After a failure the generator's state is unknown: the next reply starts a new one."""
        self._generator, self._capacity, self._cached, self._settled = None, 0, [], 0

    def _stream(self, messages: list[Message], request: "_Request", record: ReplyRecord) -> Iterator[str]:
        settings = request.settings
        started = time.perf_counter()
        ids, record.dropped_messages = self._prompt.fit(messages, settings.max_new_tokens)
        context = self.loaded.info.context_length
        budget = min(settings.max_new_tokens, context - len(ids))
        record.prompt_tokens = len(ids)
        prefix = list(request.forced[:-1])
        try:
            record.reused_tokens = self._prefill(ids + prefix, len(ids) + budget)
            yield from self._decode(ids, request, budget, record, started)
        except LocalChatError:
            self._drop_generator()
            raise
        except Exception as error:  # noqa: BLE001 - the library's errors become one plain sentence
            self._drop_generator()
            raise self._failure(error) from error
        finally:
            record.total_s = time.perf_counter() - started
        if request.reply is not None:
            request.reply.provenance = replace(self.provenance(settings, request.seed), forced=request.forced)

    def _prefill(self, ids: list[int], needed: int) -> int:
        """Bring the generator's cache to ``ids``; return how many tokens were reused."""
        # Only settled tokens are reused, and two prompt tokens are always fed again (see "Exact reuse").
        reuse = max(0, min(_common_prefix(self._cached, ids), self._settled, len(ids) - 2))
        if self._generator is None or needed > self._capacity:
            self._new_generator(needed)
            reuse = 0
        else:
            self._generator.rewind_to(reuse)
        self._cached, self._settled = [], 0  # unknown until the append succeeds
        self._generator.append_tokens(ids[reuse:])
        self._has_run = True
        self._cached = list(ids)
        self._settled = len(ids) if len(ids) - reuse >= 2 else reuse
        return reuse

    def _new_generator(self, needed: int) -> None:
        og = genai()
        self._drop_generator()  # free the old buffer before allocating the new one
        capacity = generator_capacity(self.loaded.kv_cache, self.loaded.info.context_length, needed, self._kv_budget)
        params = og.GeneratorParams(self.loaded.model)
        params.set_search_options(max_length=capacity, do_sample=False, repetition_penalty=1.0)
        self._generator = og.Generator(self.loaded.model, params)
        self._capacity = capacity

    def _decode(self, ids: list[int], request: "_Request", budget: int, record: ReplyRecord,
                started: float) -> Iterator[str]:
        generator, settings, cancel = self._generator, request.settings, request.cancel
        native = settings.greedy and settings.repetition_penalty == 1.0 and not request.explain
        forced = list(request.forced)
        context = ids + forced
        sampler = None if native else Sampler(settings, request.seed, self.loaded.info.vocab_size, context)
        last = np.zeros(1, dtype=np.int32)  # the token fed back each step, without a list conversion
        stream = self.loaded.tokenizer.create_stream()
        eos = self.loaded.eos_token_ids
        first_token_at = 0.0
        previous: int | None = None
        fed_by_library = False  # whether generate_next_token will feed ``previous`` itself
        # Chat replies start after the assistant marker; the space the tokenizer puts before the first
        # word is dropped, as the tokenizer's own full decode does.  Continuations keep it: it joins words.
        strip_space = self.loaded.chat_template is not None
        while True:
            if cancel.is_set():
                record.finish_reason = "cancelled"
                break
            if record.generated_tokens < len(forced):
                token = forced[record.generated_tokens]
                if record.generated_tokens == len(forced) - 1:  # the chosen token: already prefilled before it
                    if request.explain:
                        request.steps.append(forced_step(generator.get_logits(), settings, ids + forced[:-1],
                                                         token, request.explain, self.texts.label))
                    fed_by_library = False
            elif native:
                if previous is not None and not fed_by_library:
                    generator.append_tokens([previous])
                generator.generate_next_token()
                token = int(generator.get_next_tokens()[0])
                fed_by_library = True
            else:
                if previous is not None:
                    last[0] = previous
                    generator.append_tokens(last)
                token, candidates = sampler.pick_explained(generator.get_logits(), request.explain)
                if candidates:
                    request.steps.append(self._step(candidates, token))
            if previous is not None and record.generated_tokens >= len(forced):
                self._cached.append(previous)
            previous = token
            request.token_ids.append(token)
            record.generated_tokens += 1
            if record.generated_tokens == 1:
                first_token_at = time.perf_counter()
                record.ttft_s = first_token_at - started
            if token in eos:
                record.finish_reason = "eos"
                break
            text = stream.decode(token)
            if strip_space and text:
                text, strip_space = text.removeprefix(" "), False
            if text:
                yield text
            if record.generated_tokens >= budget:
                record.finish_reason = "max_tokens" if budget == settings.max_new_tokens else "context_full"
                break
        decode_tokens = record.generated_tokens - 1
        if decode_tokens > 0:
            record.decode_tokens_per_s = decode_tokens / max(time.perf_counter() - first_token_at, 1e-9)

    def _step(self, candidates: list[Candidate], chosen: int) -> TokenStep:
        return TokenStep(tuple(Alternative(self.texts.label(c.token), c.model_probability, c.drawn_probability,
                                           c.token == chosen, c.token) for c in candidates))


@dataclass
class _Request:
    settings: SamplingSettings
    seed: int
    cancel: threading.Event
    explain: int
    steps: list[TokenStep]
    forced: tuple[int, ...] = ()
    token_ids: list[int] = field(default_factory=list)
    reply: Reply | None = None


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _generation_error(error: Exception) -> LocalChatError:
    text = str(error)
    if "bad_alloc" in text or "out of memory" in text.lower():
        return OutOfMemory("The model ran out of memory while replying; try a shorter conversation or a smaller "
                           "model.", text)
    return GenerationFailed("The model failed while writing its reply; try again, or reload the model.", text)
