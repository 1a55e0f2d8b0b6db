"""The Markdown showcase conversation for ``python -m app.devtools.screenshot``: five replies written live by
smollm2-135m-instruct, each asking for one feature (a table, a Thinking section, a nested list, a code block, a
block quote).

Every reply is generated here, through the engine's ``ChatSession`` (the class the window's engine process runs),
with the settings and seed below, and stored the way the window stores a reply (settings with the system prompt,
figures, token ids, provenance), so Inspect → Replay in the window writes each one again identically.  The
prompts and seeds were picked from about 500 tried replies: a 135M model writes these features only now and
then.

* The table runs on counting rows when left alone; max new tokens 54 ends it after the tuple's three items.
* The Thinking section: the reply is made to start with ``<think>`` and a newline (``forced`` tokens, the way
  reasoning models' chat templates open it); the system prompt shows the form with two examples, and the
  model closes the section and answers on its own.
* The block quote: never written in 114 tries of asking for one or showing one; like the Thinking section, the
  reply is made to start with ``>`` and the system prompt shows the form twice, and the model quotes the user's
  sentence and answers below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.storage.store import ConversationStore
from app.storage.token_data import to_stored
from engine.runtime.settings import SamplingSettings

TITLE = "Lists and tuples (Markdown showcase)"
MARKDOWN_SYSTEM = "You are a helpful assistant. Format your answers in Markdown."
THINKING_SYSTEM = (
    "You think before you answer: first your thoughts between <think> and </think>, then the answer.\n\n"
    "Question: What is the capital of France?\nReply:\n<think>\nThe user wants the capital of France. It is Paris.\n"
    "</think>\nThe capital of France is Paris.\n\n"
    "Question: How many legs does a spider have?\nReply:\n<think>\nThe user asks about spiders. Spiders have eight "
    "legs.\n</think>\nA spider has eight legs.")
QUOTE_SYSTEM = (
    "You answer by first quoting the user's words as a Markdown block quote (a line starting with >), then "
    "replying.\n\nUser: Lists can change.\nReply:\n> Lists can change.\n\nYes: you can add, remove and replace "
    "items in a list.\n\nUser: Strings are immutable.\nReply:\n> Strings are immutable.\n\nRight: every string "
    "method returns a new string.")


@dataclass(frozen=True)
class ShowcaseTurn:
    question: str
    system_prompt: str
    settings: SamplingSettings
    starts_with: str = ""  # text the reply is made to start with (its tokens are forced)


TURNS = (
    ShowcaseTurn("Make a Markdown table of the tuple (3, 4, 5) with the columns Index and Value.", MARKDOWN_SYSTEM,
                 SamplingSettings(temperature=0.3, top_p=0.9, top_k=40, max_new_tokens=54, seed=0)),
    ShowcaseTurn("Can I change a tuple after I make it?", THINKING_SYSTEM,
                 SamplingSettings(temperature=0.6, top_p=0.9, top_k=40, max_new_tokens=90, seed=26),
                 starts_with="<think>\n"),
    ShowcaseTurn("Compare Python lists and tuples.", MARKDOWN_SYSTEM,
                 SamplingSettings(temperature=0.6, top_p=0.9, top_k=40, repetition_penalty=1.15, max_new_tokens=100,
                                  seed=5)),
    ShowcaseTurn("Write Python code that turns the tuple (3, 4, 5) into a list and appends 6.", MARKDOWN_SYSTEM,
                 SamplingSettings(temperature=0.3, top_p=0.9, top_k=40, max_new_tokens=90, seed=2)),
    ShowcaseTurn("A tuple is a list that cannot change.", QUOTE_SYSTEM,
                 SamplingSettings(temperature=0.5, top_p=0.9, top_k=40, max_new_tokens=40, seed=3), starts_with=">"),
)


def store_showcase(store: ConversationStore, model_path: str) -> int:
    """Write the showcase conversation with live replies from the model in ``model_path``; returns its id."""
    from engine.runtime.conversation import Message
    from engine.runtime.model import load_model
    from engine.runtime.session import ChatSession

    session = ChatSession(load_model(model_path, "cpu"))
    conversation = store.create_conversation().id
    history: list[Message] = []
    for turn in TURNS:
        store.add_user_message(conversation, turn.question)
        history.append(Message("user", turn.question))
        forced = [int(token) for token in session.loaded.tokenizer.encode(turn.starts_with)] if turn.starts_with else []
        reply = session.reply([Message("system", turn.system_prompt), *history], turn.settings, forced=forced)
        text = reply.text()
        info = session.loaded.info
        message = store.start_reply(conversation, model=info.name, provider=info.provider,
                                    settings={**turn.settings.to_dict(), "model_path": info.path,
                                              "system_prompt": turn.system_prompt})
        store.finish_reply(message.id, status="done", content=text, stats=reply.record.to_dict(),
                           tokens=to_stored(reply.token_ids, reply.steps), provenance=reply.provenance.to_dict())
        history.append(Message("assistant", text))
    store.rename(conversation, TITLE)
    return conversation
