"""What LocalChat reports about each reply."""

from __future__ import annotations

from dataclasses import asdict, dataclass

@dataclass
class ReplyRecord:
    """Figures for one reply, shown in the status bar and stored with the message."""

    prompt_tokens: int = 0
    generated_tokens: int = 0
    reused_tokens: int = 0
    ttft_s: float = 0.0
    decode_tokens_per_s: float = 0.0
    finish_reason: str = "error"  # eos, max_tokens, cancelled, context_full or error
    provider: str = "cpu"
    seed: int | None = None
    dropped_messages: int = 0
    total_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


END_OF_REPLY = "(end of reply)"
PART_OF_CHARACTER = "(part of a character)"  # a byte token: only with the next ones does it make a character


@dataclass(frozen=True)
class Alternative:
    """A token the model weighed at one step of a reply."""

    text: str  # the token's text, or END_OF_REPLY / PART_OF_CHARACTER
    model_probability: float  # what the model gave it
    drawn_probability: float  # what temperature, top-k and top-p left it when the token was drawn
    chosen: bool


@dataclass(frozen=True)
class TokenStep:
    """One token of a reply and the most likely tokens at that step, most likely first (the chosen one
    always among them)."""

    alternatives: tuple[Alternative, ...]

    @property
    def chosen(self) -> Alternative:
        return next(a for a in self.alternatives if a.chosen)
