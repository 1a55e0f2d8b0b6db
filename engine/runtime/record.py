"""What LocalChat reports about each reply."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

COUNTED_BY = ("engine", "server", "client")  # exact from this machine's engine; the server's usage; estimated here

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
    server: str | None = None  # the base URL of the server that wrote the reply; None: this machine
    model: str = ""  # the model's name as the server reported it (replies from a server)
    counted_by: str = "engine"  # who counted the tokens: one of COUNTED_BY
    notes: list[str] = field(default_factory=list)  # what a server could not do for this reply, in plain words

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
    token: int = -1  # its id (-1 in token choices stored before ids were kept)


@dataclass(frozen=True)
class TokenStep:
    """One token of a reply and the most likely tokens at that step, most likely first (the chosen one
    always among them)."""

    alternatives: tuple[Alternative, ...]

    @property
    def chosen(self) -> Alternative:
        return next(a for a in self.alternatives if a.chosen)
