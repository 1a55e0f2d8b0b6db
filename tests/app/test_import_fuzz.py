"""A fuzz of the import format: random mutations of a real export (fixed seed), no traceback, store readable.

Each case either imports (possibly with repairs) or is refused with an ``ImportFailed`` sentence;
after each, the whole store is read back the way the window and the CLI read it.
"""

from __future__ import annotations

import copy
import json
import random

import pytest
from fuzzing import ODD_VALUES, assert_one_sentence, mutate

from app.cli import run
from app.stored_tree import tree_from_messages
from app.storage.export import export_json, export_markdown
from app.storage.importing import ImportFailed, import_json
from app.storage.settings import AppSettings
from app.storage.store import ConversationStore, default_path
from app.storage.validate import Notes

CASES = 400
SEED = 1201
EXPORT_KEYS = ("id", "extra", "stats", "settings", "parent_id")


def real_export() -> dict:
    """A conversation with a system prompt, an edit and a regeneration, as the app writes it."""
    with ConversationStore(":memory:") as store:
        conversation = store.create_conversation(system_prompt="Be brief.")
        first = store.add_user_message(conversation.id, "Capital of France?")
        reply = store.start_reply(conversation.id, model="phi", provider="cpu",
                                  settings={"temperature": 0.7, "seed": 3, "top_k": 40})
        store.finish_reply(reply.id, status="done", content="Paris.",
                           stats={"prompt_tokens": 9, "generated_tokens": 2, "ttft_s": 0.05, "seed": 3,
                                  "finish_reason": "eos", "provider": "cpu", "decode_tokens_per_s": 80.0})
        again = store.start_reply(conversation.id, model="phi", provider="cpu", settings={}, alternative_to=reply.id)
        store.finish_reply(again.id, status="cancelled", content="It is", stats={"finish_reason": "cancelled"})
        store.add_user_message(conversation.id, "And of Spain?", alternative_to=first.id)
        return json.loads(export_json(store, conversation.id))


def read_back(store: ConversationStore, conversation_id: int | None) -> None:
    """The list, the search and the new conversation, read as the window and the CLI read them."""
    store.list_conversations()
    store.search("Paris")
    if conversation_id is not None:
        tree_from_messages(store.all_messages(conversation_id))
        export_markdown(store, conversation_id)
        json.loads(export_json(store, conversation_id))


def test_mutated_exports_never_raise_and_leave_the_store_readable(capsys: pytest.CaptureFixture) -> None:
    rng = random.Random(SEED)
    original = real_export()
    imported = refused = repaired = lost = 0
    with ConversationStore(default_path()) as store:
        for _ in range(CASES):
            data = copy.deepcopy(original)
            for _ in range(rng.randint(1, 4)):
                mutate(data, rng, new_keys=EXPORT_KEYS)
            text = json.dumps(data, ensure_ascii=False)
            if rng.random() < 0.1:  # and sometimes the text itself
                cut = rng.randrange(len(text))
                text = text[:cut] + rng.choice(["", "{", "]", "\\", '"', "\x00"]) + text[cut + 1:]
            notes, conversation_id = Notes(), None
            try:
                conversation_id = import_json(store, text, notes)
            except ImportFailed as error:
                assert_one_sentence(error.user_message)
                refused += 1
            else:
                imported += 1
                repaired += bool(notes.lines)
                sent = len(json.loads(text)["messages"])
                lost += sent - store.get_conversation(conversation_id).message_count
            read_back(store, conversation_id)
    assert run(["history", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == imported
    assert imported > 50 and refused > 50  # the mutations reach both sides of the boundary
    assert lost == 0  # an import keeps every message or refuses the file
    print(f"\nimport fuzz: {CASES} cases, {imported} imported ({repaired} with repairs), {refused} refused "
          f"with a sentence, 0 tracebacks, {lost} messages lost")


def test_mutated_settings_files_load_as_defaults_or_values(localchat_home) -> None:
    rng = random.Random(SEED)
    AppSettings().save()
    path = next((localchat_home / "config").glob("settings.json"))
    original = json.loads(path.read_text(encoding="utf-8"))
    for _ in range(200):
        data = copy.deepcopy(original)
        for _ in range(rng.randint(1, 3)):
            if isinstance(data, dict) and data:
                data[rng.choice(list(data))] = rng.choice(ODD_VALUES)
        text = json.dumps(data)
        if rng.random() < 0.2:
            text = text[: rng.randrange(len(text))]
        path.write_text(text, encoding="utf-8")
        loaded = AppSettings.load()
        assert isinstance(loaded, AppSettings)


def test_mutated_catalogs_load_or_give_the_catalog_sentence(tmp_path) -> None:
    from engine.models.catalog import CATALOG_DIR, Catalog, CatalogInvalid, load_catalog

    rng = random.Random(SEED)
    original = json.loads((CATALOG_DIR / "models.json").read_text(encoding="utf-8"))
    path = tmp_path / "models.json"
    loaded = refused = 0
    for _ in range(200):
        data = copy.deepcopy(original)
        for _ in range(rng.randint(1, 3)):
            mutate(data, rng, new_keys=EXPORT_KEYS)
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            assert isinstance(load_catalog(path), Catalog)
            loaded += 1
        except CatalogInvalid as error:
            assert error.user_message.endswith("reinstall LocalChat.")
            refused += 1
    assert refused > 0
