"""Sampling settings for one reply, with the ranges the app accepts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from engine.errors import InvalidSetting

TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)  # exclusive of 0
TOP_K_RANGE = (0, 200)  # 0 means "no top-k limit"
REPETITION_PENALTY_RANGE = (1.0, 2.0)
MAX_SEED = 2**31 - 1  # fits a C int, so every seed LocalChat reports can be typed back into Qt's spin box


@dataclass(frozen=True)
class SamplingSettings:
    """How the next reply is sampled.

    ``temperature`` 0 means greedy decoding (always the most likely token); above 0
    the next token is drawn at random from the distribution, sharpened or flattened
    by the temperature and cut by ``top_k`` and ``top_p``.  ``seed`` None means a
    fresh random seed per reply; the seed actually used is reported in the record.
    """

    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    repetition_penalty: float = 1.0
    max_new_tokens: int = 512
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0

    def with_seed(self, seed: int | None) -> "SamplingSettings":
        return replace(self, seed=seed)

    def to_dict(self) -> dict:
        return asdict(self)

    def validated(self) -> "SamplingSettings":
        """Return self, or raise InvalidSetting naming the value that is out of range."""
        _check("Temperature", self.temperature, *TEMPERATURE_RANGE)
        _check("Top-p", self.top_p, *TOP_P_RANGE)
        if self.top_p == 0.0:
            raise InvalidSetting("Top-p must be greater than 0; use temperature 0 for greedy replies.")
        _check("Top-k", self.top_k, *TOP_K_RANGE, integer=True)
        _check("Repetition penalty", self.repetition_penalty, *REPETITION_PENALTY_RANGE)
        if not isinstance(self.max_new_tokens, int) or isinstance(self.max_new_tokens, bool) or self.max_new_tokens < 1:
            raise InvalidSetting(f"Max new tokens must be a whole number of at least 1, not {self.max_new_tokens!r}.")
        if self.seed is not None:
            _check("Seed", self.seed, 0, MAX_SEED, integer=True)
        return self


def _check(name: str, value: object, low: float, high: float, integer: bool = False) -> None:
    kind_ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not kind_ok or not (low <= value <= high):  # type: ignore[operator]
        kind = "a whole number" if integer else "a number"
        raise InvalidSetting(f"{name} must be {kind} from {low:g} to {high:g}, not {value!r}.")
