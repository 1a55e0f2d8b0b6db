"""A long reply as a small chat model writes one, cut into the chunks the window receives (for ``bench_streaming``).

The text is made, not stored: prose paragraphs (one line each, as models write them), numbered and
bulleted lists with **bold** and `inline code`, headings and fenced code blocks, in the shape of a
smollm2-135m-instruct answer to a coding question, repeated with variations until it is long
enough.  A seeded ``random.Random`` picks every variation and every chunk size, so a length and a
seed always give the same chunks.  Chunks are 20–60 characters (40 on average, what the window's
25 ms flush gathers from a fast model); their ends fall anywhere, so they split lines, words and
fence marks (a chunk ending in the middle of a three-backtick fence) as a real stream does.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from ui.chat.markdown_blocks import FENCE

CHUNK_SIZES = (20, 60)  # characters, lowest and highest
TASKS = [("sort a list of numbers", "sort_numbers", "numbers"), ("count the words in a file", "count_words", "path"),
         ("remove duplicates from a list", "unique_items", "items"), ("reverse a string", "reverse_text", "text"),
         ("find the largest value in a list", "largest_value", "values"),
         ("read a CSV file into a list of rows", "read_rows", "filename")]
OPENINGS = ["Sure! Here's how you can {task} in Python:", "Certainly! To {task}, you can use the following code:",
            "Here is a simple way to {task} using a function:", "Great question! Let's {task} step by step."]
SENTENCES = ["This function goes through each item in `{arg}` and keeps the ones it needs.",
             "It returns a new list, so the original `{arg}` stays the same.",
             "The `for` loop visits every element once, which makes the function run in linear time.",
             "If `{arg}` is empty, the function simply returns an empty result.",
             "You can change the condition inside the loop to keep different items.",
             "Python's built-in functions are usually faster, but writing it yourself shows how it works.",
             "Remember to test the function with a few different inputs before you use it in a larger program."]
STEPS = ["**Define the function**: `{name}` takes one argument, `{arg}`.",
         "**Create an empty list**: `result` will hold the items we keep.",
         "**Loop over the input**: the `for` loop looks at each item in `{arg}`.",
         "**Check each item**: the `if` statement decides whether to keep it.",
         "**Return the result**: the function gives back the new list."]
TIPS = ["Use descriptive names for your variables.", "Add a docstring that says what the function returns.",
        "Handle empty input before the loop.", "Write a small test for each case you care about.",
        "Prefer built-in functions such as `sorted()` and `set()` when they fit."]
BODY = ["    result = []", "    for item in {arg}:", "        if item is not None:", "            result.append(item)",
        "    # keep the order of the items", "    total = len(result)", "    print(f\"Kept {{total}} items\")"]
HEADINGS = ["### How it works", "### Another way", "### Example usage", "### Things to keep in mind"]


def paragraph(rng: random.Random, arg: str) -> str:
    return " ".join(rng.choice(SENTENCES).format(arg=arg) for _ in range(rng.randint(2, 4)))


def code_block(rng: random.Random, name: str, arg: str) -> str:
    body = BODY[:rng.randint(4, len(BODY))]
    lines = [f"def {name}({arg}):", f'    """Return the items of {arg} we keep."""',
             *(line.format(arg=arg) for line in body), "    return result"]
    if rng.random() < 0.5:
        lines += ["", "", f"print({name}([3, 1, 2, None, 5]))  # Output: [3, 1, 2, 5]"]
    return "```python\n" + "\n".join(lines) + "\n```"


def section(rng: random.Random) -> str:
    """One answer: an opening line, code, a numbered explanation, prose, tips and a usage example."""
    task, name, arg = rng.choice(TASKS)
    steps = STEPS[:rng.randint(3, len(STEPS))]
    tips = rng.sample(TIPS, rng.randint(2, 4))
    parts = [rng.choice(OPENINGS).format(task=task), code_block(rng, name, arg), rng.choice(HEADINGS),
             "Here's what each part does:",
             "\n".join(f"{number}. {step.format(name=name, arg=arg)}" for number, step in enumerate(steps, 1)),
             paragraph(rng, arg), "A few tips:", "\n".join(f"- {tip}" for tip in tips),
             "You can call it like this:", f"```python\nprint({name}(my_{arg}))\n```", paragraph(rng, arg)]
    return "\n\n".join(parts)


def make_chunks(count: int, seed: int = 0) -> list[str]:
    """About ``count`` chunks of a reply of about ``count`` × 40 characters (whole answers, so every fence closes)."""
    rng = random.Random(seed)
    target = count * sum(CHUNK_SIZES) // 2
    sections: list[str] = []
    length = 0
    while length < target:
        sections.append(section(rng))
        length += len(sections[-1]) + 2
    text = "\n\n".join(sections)
    chunks, start = [], 0
    while start < len(text):
        size = rng.randint(*CHUNK_SIZES)
        chunks.append(text[start:start + size])
        start += size
    return chunks


@dataclass(frozen=True)
class ReplyShape:
    chunks: int
    characters: int
    code_blocks: int
    split_lines: int  # chunk ends inside a line (neither side of the cut is a newline)
    split_fences: int  # chunk ends inside a fence line (```python or ```)


def shape(chunks: list[str]) -> ReplyShape:
    text = "".join(chunks)
    lines = text.split("\n")
    fence_lines = sum(1 for line in lines if FENCE.match(line))
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))  # where each line starts
    split_lines = split_fences = 0
    for end in accumulate(len(chunk) for chunk in chunks[:-1]):
        if text[end - 1] != "\n" and text[end] != "\n":
            split_lines += 1
            split_fences += bool(FENCE.match(lines[bisect_right(starts, end) - 1]))
    return ReplyShape(len(chunks), len(text), fence_lines // 2, split_lines, split_fences)
