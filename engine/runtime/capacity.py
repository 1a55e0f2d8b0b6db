"""How many tokens a generator is made for (genai's ``max_length``), and why.

genai's ``max_length`` counts prompt plus reply.  A generator cannot grow: a conversation
that outgrows it needs a new one, and the whole conversation prefilled again while the
user waits (1.4 s at 1,000 tokens for smollm2 on a 2-core CPU, minutes for a large model).

Models exported with a shared past/present buffer (``past_present_share_buffer``, the
model builder's default) allocate their KV cache for ``max_length`` tokens up front::

    bytes = layers × KV heads × head size × 2 (keys and values) × bytes per value × max_length

The rule: a generator gets the model's whole context when that buffer takes at most an
eighth of the memory it lives in (the machine's RAM; a CUDA GPU's memory when
``nvidia-smi`` reports it).  Otherwise it gets as many tokens as that eighth holds, or
twice what the turn needs if that is more, and only a conversation longer than that pays
for a rebuild.  Values are counted as 4 bytes on the CPU (float32, what the model builder
exports for it) and 2 on a GPU (float16).  Models whose cache grows as it fills (no
shared buffer) cost nothing up front, so they always get the whole context.

For smollm2-135m (30 layers, 3 KV heads of 64, context 8,192) that is 377 MB, so on a
machine with 4 GB or more the generator is made once, for the whole context, and no turn
ever waits for a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.models.hardware import detect_hardware, total_ram_bytes

MIN_CAPACITY = 256
MEMORY_SHARE = 8  # the KV buffer may take one eighth of the memory it lives in


@dataclass(frozen=True)
class KvCache:
    """What a model's KV cache costs: bytes per token, and whether genai allocates it all up front."""

    bytes_per_token: int
    preallocated: bool

    @classmethod
    def from_config(cls, config: dict, provider: str) -> "KvCache":
        model = config.get("model", {})
        decoder = model.get("decoder", {})
        layers = int(decoder.get("num_hidden_layers", 0))
        heads = int(decoder.get("num_key_value_heads", decoder.get("num_attention_heads", 0)))
        head_size = int(decoder.get("head_size", 0))
        value_bytes = 4 if provider == "cpu" else 2
        shared = bool(config.get("search", {}).get("past_present_share_buffer", True))
        return cls(bytes_per_token=layers * heads * head_size * 2 * value_bytes, preallocated=shared)


def memory_budget(provider: str) -> int | None:
    """Bytes a generator's preallocated KV buffer may take on this machine, or None when unknown."""
    memory = detect_hardware().gpu_memory_bytes if provider == "cuda" else None
    memory = memory or total_ram_bytes()
    return memory // MEMORY_SHARE if memory else None


def generator_capacity(kv: KvCache, context: int, needed: int, budget: int | None) -> int:
    """``max_length`` for a new generator that must hold ``needed`` tokens (see the module docstring)."""
    if not kv.preallocated or kv.bytes_per_token <= 0:
        return context
    affordable = budget // kv.bytes_per_token if budget is not None else 0
    return max(needed, min(context, max(MIN_CAPACITY, affordable, 2 * needed)))
