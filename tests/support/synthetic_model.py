"""A tiny decoder model whose every output is known in advance.

The model is a real ONNX graph run by the real onnxruntime-genai, with a real
byte-fallback BPE tokenizer.  Its "weights" are chosen by hand:

* the next token is decided by the last token through ``NEXT`` (a logit of 10),
  with a runner-up ``RUNNER_UP`` (a logit of 8) so that sampling has something
  to choose between;
* every token already in the context (prompt and reply, read back from the KV
  cache) lowers its own logit by ``CONTEXT_PENALTY`` per occurrence.  This makes
  the output depend on the whole cached context, so a KV cache that lost or
  duplicated tokens gives a different reply than a fresh run.

``SyntheticLM.greedy`` is the same function in numpy, so tests can compute the
expected tokens for any input instead of hard-coding them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SPECIAL = ["<unk>", "<s>", "</s>"]
CHAT_SPECIAL = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
CHARS = list("▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'")
WORDS = ["▁Hello", "▁caf", "▁costs", "▁5", "▁count", "▁la",
         "▁one", "▁two", "▁three", "▁four", "▁five", "▁six", "▁seven", "▁eight", "▁nine", "▁ten"]

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

MAIN_LOGIT = 10.0
RUNNER_UP_LOGIT = 8.0
CONTEXT_PENALTY = 0.25


def _byte(b: int) -> str:
    return f"<0x{b:02X}>"


def _vocab() -> list[str]:
    tokens = SPECIAL + [_byte(b) for b in range(256)] + CHAT_SPECIAL
    for word in WORDS:  # every prefix of a word is a token so merges can build it
        for end in range(2, len(word) + 1):
            piece = word[:end]
            if piece not in tokens and piece not in CHARS:
                tokens.append(piece)
    tokens += [c for c in CHARS if c not in tokens]
    return tokens


VOCAB = _vocab()
TOKEN_ID = {t: i for i, t in enumerate(VOCAB)}
VOCAB_SIZE = len(VOCAB)
BOS, EOS = 1, 2
END_OF_TURN = TOKEN_ID["<|end|>"]

# The greedy reply to anything that is not part of a chain: "Hello café costs 5€ 😀", then end of sequence.
REPLY_TOKENS = ["▁Hello", "▁caf", _byte(0xC3), _byte(0xA9), "▁costs", "▁5",
                _byte(0xE2), _byte(0x82), _byte(0xAC), "▁", _byte(0xF0), _byte(0x9F), _byte(0x98), _byte(0x80), "</s>"]
REPLY_TEXT = "Hello café costs 5€ 😀"
# After "count" the model counts "one two ... ten one two ..." and never stops by itself.
COUNT_TOKENS = ["▁one", "▁two", "▁three", "▁four", "▁five", "▁six", "▁seven", "▁eight", "▁nine", "▁ten"]


def _next_table() -> np.ndarray:
    nxt = np.full(VOCAB_SIZE, TOKEN_ID["▁Hello"], dtype=np.int64)
    for a, b in zip(REPLY_TOKENS, REPLY_TOKENS[1:]):
        nxt[TOKEN_ID[a]] = TOKEN_ID[b]
    chain = ["▁count"] + COUNT_TOKENS + ["▁one"]
    for a, b in zip(chain, chain[1:]):
        nxt[TOKEN_ID[a]] = TOKEN_ID[b]
    return nxt


NEXT = _next_table()
RUNNER_UP = TOKEN_ID["▁la"]


def _base_logits() -> np.ndarray:
    table = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.float32)
    table[:, RUNNER_UP] = RUNNER_UP_LOGIT
    table[np.arange(VOCAB_SIZE), NEXT] = MAIN_LOGIT
    return table


@dataclass(frozen=True)
class SyntheticLM:
    """The model's function in numpy: the reference the ONNX graph must match."""

    base: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", _base_logits())

    def logits(self, ids: list[int]) -> np.ndarray:
        counts = np.bincount(ids, minlength=VOCAB_SIZE).astype(np.float32)
        return self.base[ids[-1]] - CONTEXT_PENALTY * counts

    def greedy(self, ids: list[int], max_new: int, eos: tuple[int, ...] = (EOS,)) -> list[int]:
        ids, out = list(ids), []
        for _ in range(max_new):
            token = int(np.argmax(self.logits(ids)))
            out.append(token)
            ids.append(token)
            if token in eos:
                break
        return out


def _graph(slow_matmuls: int) -> onnx.ModelProto:
    v = VOCAB_SIZE
    past_shape = ["batch", 1, "past_sequence_length", v]
    present_shape = ["batch", 1, "total_sequence_length", v]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total_sequence_length"]),
        helper.make_tensor_value_info("past_key_values.0.key", TensorProto.FLOAT, past_shape),
        helper.make_tensor_value_info("past_key_values.0.value", TensorProto.FLOAT, past_shape),
    ]
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence_length", v]),
        helper.make_tensor_value_info("present.0.key", TensorProto.FLOAT, present_shape),
        helper.make_tensor_value_info("present.0.value", TensorProto.FLOAT, present_shape),
    ]
    init = [
        numpy_helper.from_array(np.eye(v, dtype=np.float32), "one_hot"),
        numpy_helper.from_array(_base_logits(), "next_logits"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        numpy_helper.from_array(np.array(-CONTEXT_PENALTY, dtype=np.float32), "penalty"),
    ]
    nodes = [
        helper.make_node("Gather", ["one_hot", "input_ids"], ["new_one_hot"]),
        helper.make_node("Unsqueeze", ["new_one_hot", "axis1"], ["new_kv"]),
        helper.make_node("Concat", ["past_key_values.0.key", "new_kv"], ["present.0.key"], axis=2),
        helper.make_node("Concat", ["past_key_values.0.value", "new_kv"], ["present.0.value"], axis=2),
        helper.make_node("ReduceSum", ["present.0.value", "axis2"], ["counts"], keepdims=0),
        helper.make_node("Mul", ["counts", "penalty"], ["context_logits"]),
        helper.make_node("Gather", ["next_logits", "input_ids"], ["base_logits"]),
        helper.make_node("Add", ["base_logits", "context_logits"], ["raw_logits"]),
    ]
    last = _add_slow_work("raw_logits", slow_matmuls, nodes, init)
    nodes.append(helper.make_node("Identity", [last], ["logits"]))
    graph = helper.make_graph(nodes, "synthetic_decoder", inputs, outputs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    onnx.checker.check_model(model)
    return model


def _add_slow_work(logits: str, matmuls: int, nodes: list, init: list, size: int = 512) -> str:
    """Work that depends on the input but changes nothing: (input-dependent matrix products) * 0."""
    if not matmuls:
        return logits
    init += [numpy_helper.from_array(np.full((size, size), 1e-3, dtype=np.float32), "slow_w"),
             numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
             numpy_helper.from_array(np.array([size, size], dtype=np.int64), "slow_shape")]
    nodes += [helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
              helper.make_node("ReduceSum", ["ids_f"], ["ids_sum"], keepdims=0),
              helper.make_node("Expand", ["ids_sum", "slow_shape"], ["slow_0"])]
    for i in range(matmuls):
        nodes.append(helper.make_node("MatMul", [f"slow_{i}", "slow_w"], [f"slow_{i + 1}"]))
    nodes += [helper.make_node("ReduceSum", [f"slow_{matmuls}"], ["slow_sum"], keepdims=0),
              helper.make_node("Mul", ["slow_sum", "zero"], ["slow_zero"]),
              helper.make_node("Add", [logits, "slow_zero"], ["slow_logits"])]
    return "slow_logits"


def _merges() -> list[list[str]]:
    merges = []
    for word in WORDS:
        for end in range(2, len(word) + 1):
            pair = [word[: end - 1], word[end - 1]]
            if pair not in merges:
                merges.append(pair)
    return merges


def _tokenizer_json(chat: bool, vocab: dict[str, int] = TOKEN_ID, merges: list[list[str]] | None = None) -> dict:
    specials = SPECIAL + (CHAT_SPECIAL if chat else [])
    added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": _merges() if merges is None else merges},
    }


def _tokenizer_config(chat: bool, context_length: int) -> dict:
    config = {"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
              "unk_token": "<unk>", "pad_token": None, "clean_up_tokenization_spaces": False, "legacy": True,
              "model_max_length": context_length, "tokenizer_class": "LlamaTokenizer"}
    if chat:
        config["chat_template"] = CHAT_TEMPLATE
    return config


def _genai_config(chat: bool, context_length: int, vocab_size: int = VOCAB_SIZE, head_size: int = VOCAB_SIZE) -> dict:
    return {
        "model": {
            "bos_token_id": BOS, "context_length": context_length, "eos_token_id": [EOS, END_OF_TURN] if chat else [EOS],
            "pad_token_id": EOS, "type": "llama", "vocab_size": vocab_size,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx", "head_size": head_size, "hidden_size": head_size,
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                           "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
                "num_attention_heads": 1, "num_hidden_layers": 1, "num_key_value_heads": 1,
            },
        },
        "search": {"do_sample": False, "max_length": context_length, "min_length": 0, "num_beams": 1,
                   "num_return_sequences": 1, "past_present_share_buffer": False, "repetition_penalty": 1.0,
                   "temperature": 1.0, "top_k": 50, "top_p": 1.0},
    }


def build_synthetic_model(folder: Path, *, chat: bool = True, context_length: int = 256,
                          slow_matmuls: int = 0) -> Path:
    """Write the model (ONNX graph, genai_config.json, tokenizer files) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(_graph(slow_matmuls), str(folder / "model.onnx"))
    files = {"genai_config.json": _genai_config(chat, context_length),
             "tokenizer.json": _tokenizer_json(chat),
             "tokenizer_config.json": _tokenizer_config(chat, context_length)}
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


# A stand-in for a large model's last layer: Phi-4-mini's vocabulary, logits shaped like a trained model's (a broad
# bulk and a few strong candidates), and a step made slow on purpose.  For benchmarks, not for exact answers.
LARGE_VOCAB_SIZE = 200_064
LARGE_HEAD = 8
LARGE_HIDDEN = 32
PEAKS = 4


def large_vocab_tokens(vocab_size: int = LARGE_VOCAB_SIZE) -> list[str]:
    tokens = SPECIAL + [_byte(b) for b in range(256)] + CHAT_SPECIAL + CHARS
    return tokens + [f"▁w{i}" for i in range(vocab_size - len(tokens))]


def _large_graph(vocab_size: int, slow_matmuls: int, slow_size: int, seed: int) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    v, h, d = vocab_size, LARGE_HEAD, LARGE_HIDDEN
    first = len(SPECIAL) + 256 + len(CHAT_SPECIAL)  # peaks point at ordinary tokens only, so replies run on
    tops = rng.uniform(10.0, 26.0, (v, 1))
    heights = np.concatenate([tops, tops - rng.uniform(0.5, 6.0, (v, PEAKS - 1))], axis=1).astype(np.float32)
    bias = np.zeros(v, dtype=np.float32)
    bias[:first] = -100.0  # specials and bytes are never drawn: every reply is exactly max_new_tokens long
    init = [
        numpy_helper.from_array(rng.standard_normal((v, d)).astype(np.float32), "embedding"),
        numpy_helper.from_array((rng.standard_normal((d, v)) * (3.0 / np.sqrt(d))).astype(np.float32), "unembedding"),
        numpy_helper.from_array(rng.standard_normal((v, h)).astype(np.float32), "kv_table"),
        numpy_helper.from_array(rng.standard_normal((h, v)).astype(np.float32), "context_weights"),
        numpy_helper.from_array(rng.integers(first, v, (v, PEAKS)).astype(np.int64), "peak_tokens"),
        numpy_helper.from_array(heights, "peak_heights"),
        numpy_helper.from_array(bias, "bias"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes12"),
    ]
    past, present = ["batch", 1, "past_sequence_length", h], ["batch", 1, "total_sequence_length", h]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total_sequence_length"]),
              helper.make_tensor_value_info("past_key_values.0.key", TensorProto.FLOAT, past),
              helper.make_tensor_value_info("past_key_values.0.value", TensorProto.FLOAT, past)]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence_length", v]),
               helper.make_tensor_value_info("present.0.key", TensorProto.FLOAT, present),
               helper.make_tensor_value_info("present.0.value", TensorProto.FLOAT, present)]
    nodes = [
        helper.make_node("Gather", ["kv_table", "input_ids"], ["new_rows"]),
        helper.make_node("Unsqueeze", ["new_rows", "axis1"], ["new_kv"]),
        helper.make_node("Concat", ["past_key_values.0.key", "new_kv"], ["present.0.key"], axis=2),
        helper.make_node("Concat", ["past_key_values.0.value", "new_kv"], ["present.0.value"], axis=2),
        helper.make_node("ReduceMean", ["present.0.value", "axes12"], ["context_mean"], keepdims=0),  # [b, h]
        helper.make_node("Unsqueeze", ["context_mean", "axis1"], ["context"]),  # [b, 1, h]
        helper.make_node("MatMul", ["context", "context_weights"], ["context_logits"]),
        helper.make_node("Gather", ["embedding", "input_ids"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "unembedding"], ["bulk"]),
        helper.make_node("Add", ["bulk", "context_logits"], ["shaped"]),
        helper.make_node("Add", ["shaped", "bias"], ["biased"]),
        helper.make_node("Gather", ["peak_tokens", "input_ids"], ["peak_ids"]),
        helper.make_node("Gather", ["peak_heights", "input_ids"], ["peak_values"]),
        helper.make_node("ScatterElements", ["biased", "peak_ids", "peak_values"], ["raw_logits"], axis=2,
                         reduction="add"),
    ]
    last = _add_slow_work("raw_logits", slow_matmuls, nodes, init, slow_size)
    nodes.append(helper.make_node("Identity", [last], ["logits"]))
    graph = helper.make_graph(nodes, "large_vocab_decoder", inputs, outputs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9)
    onnx.checker.check_model(model)
    return model


def build_large_vocab_model(folder: Path, *, vocab_size: int = LARGE_VOCAB_SIZE, slow_matmuls: int = 0,
                            slow_size: int = 512, context_length: int = 4096, seed: int = 0) -> Path:
    """A chat model with ``vocab_size`` tokens whose every step also does ``slow_matmuls`` products of
    ``slow_size``-square matrices (to make it as slow as a bigger model)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(_large_graph(vocab_size, slow_matmuls, slow_size, seed), str(folder / "model.onnx"))
    vocab = {t: i for i, t in enumerate(large_vocab_tokens(vocab_size))}
    files = {"genai_config.json": _genai_config(True, context_length, vocab_size, LARGE_HEAD),
             "tokenizer.json": _tokenizer_json(True, vocab, merges=[]),
             "tokenizer_config.json": _tokenizer_config(True, context_length)}
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return folder
