"""ChatHistory: keeps the chat in the ConversationStore, and the sidebar in step with the store.

The controller says what changed (a message added, text streamed, a reply finished or
failed, another version chosen); this class writes it down:

* the user's message is saved before the engine is asked, the reply's row when it starts
  (status ``streaming``, with the model and every sampling setting), its text at most
  once a second while it streams, and its end with the record's figures (the seed actually
  used among them), so a crash loses at most about a second of text;
* regenerations and edits are stored as alternatives of the message they replace;
* a send that fails before any text leaves the controller's tree; the store cannot delete
  messages, so its rows stay as an empty ``error`` reply that is never shown and later
  messages at that position are stored as its alternatives.

Browsing while a reply streams: the reply's conversation is set aside (``_Place``) when another
one is opened; its text keeps being saved there, and opening it again shows the same live tree.

Storage trouble (a damaged file set aside, a full or read-only disk, a newer database) is
reported once through ``report`` as one plain sentence; the chat itself keeps working.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer

from app.storage.export import export_json, export_markdown
from app.storage.importing import import_json, read_export_file
from app.stored_tree import tree_from_messages
from app.storage.store import ConversationStore
from app.storage.token_data import to_stored
from app.storage.validate import Notes
from engine.errors import LocalChatError
from engine.runtime.record import ReplyRecord
from ui.chat.conversation_model import ConversationTree, Node
from ui.shell.main_window import MainWindow
from ui.history.sidebar import SidebarEntry
from ui.shell.unsaved_dialog import UnsavedDialog, choose_folder

SAVE_INTERVAL_S = 1.0
RETRY_SAVING_MS = 10_000  # while kept in memory, how often the file is tried again without a new message
log = logging.getLogger(__name__)


@dataclass
class _Place:
    """One conversation's bookkeeping: its id, the tree on screen and which stored message each node is."""

    conversation_id: int | None
    tree: ConversationTree | None
    ids: dict[Node, int]
    hidden: dict[tuple, int]
    root_id: int | None


class ChatHistory(QObject):
    def __init__(self, store: ConversationStore, window: MainWindow) -> None:
        super().__init__(window)
        self.store, self.controller, self.sidebar = store, window.controller, window.sidebar
        self._report = window.banner.show_error
        self._notice = window.banner.show_notice
        self._live: _Place | None = None  # the conversation a reply streams in, while another one is shown
        self._indicator = window.storage_indicator
        self._window = window
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_SAVING_MS)
        self._retry.timeout.connect(self._on_retry_timeout)
        controller, sidebar = self.controller, self.sidebar
        self.conversation_id: int | None = None
        self._tree: ConversationTree | None = None
        self._ids: dict[Node, int] = {}
        self._hidden: dict[tuple, int] = {}
        self._root_id: int | None = None  # a stored system message the tree's root stands for
        self._reply: Node | None = None
        self._saved_at = float("-inf")
        self._notices_shown: set[str] = set()
        controller.message_added.connect(self._on_message_added)
        controller.reply_updated.connect(self._on_reply_updated)
        controller.reply_finished.connect(self._on_reply_finished)
        controller.alternative_selected.connect(self._on_alternative_selected)
        controller.failed.connect(self._on_failed)
        sidebar.conversation_selected.connect(self.open)
        sidebar.new_chat_requested.connect(self.new_chat)
        sidebar.search_changed.connect(self._on_search_changed)
        sidebar.rename_requested.connect(self._on_rename_requested)
        sidebar.delete_requested.connect(self._on_delete_requested)
        sidebar.undo_delete_requested.connect(self._on_undo_delete_requested)
        sidebar.export_requested.connect(self._on_export_requested)
        sidebar.import_requested.connect(self._on_import_requested)
        window.installEventFilter(self)

    def start(self) -> None:
        """Flag replies a killed LocalChat left streaming, forget last session's deletions, reopen the latest chat."""
        self._guarded(self._start)

    def _start(self) -> None:
        self.store.mark_interrupted_replies()
        self.store.purge_deleted()  # deleting can be undone until LocalChat closes
        latest = self.store.latest_conversation_id()
        if latest is None:
            latest = self.store.create_conversation().id
        self._open(latest)

    # --- conversations -----------------------------------------------------------------------------------------

    def open(self, conversation_id: int) -> None:
        if conversation_id == self.conversation_id and self.controller.tree is self._tree:
            return
        self._guarded(lambda: self._open(conversation_id))

    def _place(self) -> _Place:
        return _Place(self.conversation_id, self._tree, self._ids, self._hidden, self._root_id)

    def _use(self, place: _Place) -> None:
        self.conversation_id, self._tree, self._ids = place.conversation_id, place.tree, place.ids
        self._hidden, self._root_id = place.hidden, place.root_id

    def _open(self, conversation_id: int) -> None:
        generating = self.controller.generating
        if generating and self._live is None and self.controller.reply_tree is self._tree:
            self._live = self._place()  # the reply goes on there; keep its tree and ids
        if generating and self._live is not None and self._live.conversation_id == conversation_id:
            self._use(self._live)  # back to the reply in progress: the same live tree, still streaming
            self._live = None
            self.controller.open_conversation(self._tree)
            self._refresh_list()
            return
        messages = self.store.all_messages(conversation_id)
        tree, self._ids, hidden = tree_from_messages(messages)
        self._root_id = next((m.id for m in messages if m.role == "system" and m.parent_id is None and m.active),
                             None)
        self._hidden = {((self._root_id if parent is None else parent), role): message_id
                        for (parent, role), message_id in hidden.items()}
        self.conversation_id, self._tree = conversation_id, tree
        self.controller.open_conversation(tree)
        self._refresh_list()

    def new_chat(self) -> None:
        """Start a stored conversation, or stay in the current one if nothing was said in it yet."""
        self._guarded(self._new_chat)

    def _new_chat(self) -> None:
        current = self.conversation_id
        if current is None or self.store.get_conversation(current).message_count:
            current = self.store.create_conversation().id
        self._open(current)

    def _ensure_conversation(self) -> int:
        """The conversation the chat on screen belongs to (a new one if the controller started a fresh tree)."""
        if self.conversation_id is None or self.controller.tree is not self._tree:
            self.conversation_id = self.store.create_conversation().id
            self._tree, self._ids, self._hidden, self._root_id = self.controller.tree, {}, {}, None
        return self.conversation_id

    # --- the chat ----------------------------------------------------------------------------------------------

    def _on_message_added(self, node: Node) -> None:
        self._guarded(lambda: self._store_message(node))

    def _store_message(self, node: Node) -> None:
        conversation_id = self._ensure_conversation()
        sibling = self._stored_sibling(node)
        if node.role == "user":
            message = self.store.add_user_message(conversation_id, node.content, alternative_to=sibling)
            self._refresh_list()
        else:
            info = self.controller.model
            sampling, system_prompt = self.controller.reply_settings
            settings = {**sampling.to_dict(), "model_path": info.path if info else None}
            if info is not None and info.server:
                settings["server"] = info.server
            if system_prompt.strip():
                settings["system_prompt"] = system_prompt.strip()
            message = self.store.start_reply(conversation_id, model=info.name if info else "",
                                             provider=info.provider if info else "", settings=settings,
                                             alternative_to=sibling)
            self._reply, self._saved_at = node, float("-inf")
        self._ids[node] = message.id

    def _reply_ids(self) -> dict[Node, int]:
        return self._live.ids if self._live is not None else self._ids

    def _in_reply_conversation(self, work: Callable[[], object]) -> None:
        """Run ``work`` with the bookkeeping of the conversation the reply belongs to, then forget it."""
        live, self._live = self._live, None
        if live is None:
            work()
            return
        shown = self._place()
        self._use(live)
        try:
            work()
        finally:
            self._use(shown)

    def _on_reply_updated(self, node: Node, _text: str) -> None:
        now = time.monotonic()
        ids = self._reply_ids()
        if node in ids and now - self._saved_at >= SAVE_INTERVAL_S:
            self._saved_at = now
            self._guarded(lambda: self.store.update_reply(ids[node], node.content))

    def _on_reply_finished(self, node: Node, record: ReplyRecord) -> None:
        self._reply = None
        ids = self._reply_ids()
        if node in ids:
            status = "cancelled" if record.finish_reason == "cancelled" else "done"
            provenance = node.provenance.to_dict() if node.provenance is not None else None
            self._in_reply_conversation(lambda: self._guarded(lambda: self.store.finish_reply(
                ids[node], status=status, content=node.content, stats=record.to_dict(),
                tokens=to_stored(node.token_ids, node.steps), provenance=provenance)))
            self._refresh_list()
        self._live = None

    def _on_failed(self, error: LocalChatError) -> None:
        node, self._reply = self._reply, None
        if node is None or node not in self._reply_ids():
            return
        self._in_reply_conversation(lambda: self._guarded(lambda: self._store_failure(node, error)))

    def _store_failure(self, node: Node, error: LocalChatError) -> None:
        self.store.finish_reply(self._ids[node], status="error", content=node.content, stats={},
                                error=error.user_message)
        if node in node.parent.children:
            return  # kept with the text it had, marked interrupted
        self._forget_removed(node)
        place = node.parent
        if place.parent is not None and place not in place.parent.children:  # the user's message went back too
            self._forget_removed(place)
            place = place.parent
        shown = place.active_child()
        if shown in self._ids:  # the store follows the version the chat now shows
            self.store.activate(self._ids[shown])

    def _forget_removed(self, node: Node) -> None:
        message_id = self._ids.pop(node)
        parent_id = self.store.message(message_id).parent_id
        self._hidden[(parent_id, node.role)] = message_id

    def _on_alternative_selected(self, node: Node) -> None:
        if node in self._ids:
            self._guarded(lambda: self.store.activate(self._ids[node]))

    def _stored_sibling(self, node: Node) -> int | None:
        """A stored message the new one is an alternative to, if its position already holds one."""
        for other in node.alternatives:
            if other is not node and other in self._ids:
                return self._ids[other]
        parent = node.parent
        parent_id = self._root_id if parent is None or parent.parent is None else self._ids.get(parent)
        return self._hidden.get((parent_id, node.role))

    # --- the sidebar -------------------------------------------------------------------------------------------

    def _refresh_list(self) -> None:
        self._guarded(self._show_entries)

    def _show_entries(self) -> None:
        text = self.sidebar.search_text()
        if text:
            entries = [SidebarEntry(hit.conversation_id, hit.title, hit.snippet) for hit in self.store.search(text)]
        else:
            entries = [SidebarEntry(c.id, c.title) for c in self.store.list_conversations()]
        self.sidebar.show_entries(entries, self.conversation_id)

    def _on_search_changed(self, _text: str) -> None:
        self._refresh_list()

    def _on_rename_requested(self, conversation_id: int, title: str) -> None:
        self._guarded(lambda: self.store.rename(conversation_id, title))
        self._refresh_list()

    def _on_delete_requested(self, conversation_id: int) -> None:
        streaming_here = (self._live.conversation_id if self._live is not None else
                          self.conversation_id if self.controller.reply_tree is self._tree else None)
        if self.controller.generating and conversation_id == streaming_here:
            self._notice("A reply is being written in this conversation; stop it (Esc) or let it finish "
                         "before deleting it.")
            return
        self._guarded(lambda: self._delete(conversation_id))

    def _delete(self, conversation_id: int) -> None:
        title = self.store.get_conversation(conversation_id).title
        self.store.delete_conversation(conversation_id)
        self.sidebar.show_deleted(conversation_id, title)
        if conversation_id == self.conversation_id:
            latest = self.store.latest_conversation_id()
            self._open(latest if latest is not None else self.store.create_conversation().id)
        else:
            self._refresh_list()

    def _on_undo_delete_requested(self, conversation_id: int) -> None:
        def restore() -> None:
            self.store.restore_conversation(conversation_id)
            if self.controller.generating:
                self._refresh_list()
            else:
                self._open(conversation_id)

        self._guarded(restore)

    def _on_export_requested(self, conversation_id: int, kind: str, path: str) -> None:
        def export() -> None:
            text = (export_markdown if kind == "markdown" else export_json)(self.store, conversation_id)
            try:
                Path(path).write_text(text, encoding="utf-8")
            except OSError as error:
                raise LocalChatError(f"LocalChat couldn't write {Path(path).name}; choose another folder.",
                                     f"{path}: {error}") from error

        self._guarded(export)

    def _on_import_requested(self, path: str) -> None:
        def read_and_import() -> None:
            notes = Notes()
            conversation_id = import_json(self.store, read_export_file(Path(path)), notes)
            if notes.lines:
                log.warning("imported %s with repairs: %s", path, "; ".join(notes.lines))
                self._report(LocalChatError(f"{Path(path).name} was imported; {len(notes.lines)} value"
                                            f"{'s' if len(notes.lines) != 1 else ''} LocalChat could not use "
                                            "as they were had to be repaired.", "\n".join(notes.lines)))
            if not self.controller.generating:
                self._open(conversation_id)
            else:
                self._refresh_list()

        self._guarded(read_and_import)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """On close, keep the text of a reply still streaming (the next start marks it interrupted), and
        offer to export what only memory holds."""
        if event.type() != QEvent.Type.Close:
            return False
        ids = self._reply_ids()
        if self._reply is not None and self._reply in ids:
            reply = self._reply
            self._guarded(lambda: self.store.update_reply(ids[reply], reply.content))
        if not self._may_close():
            event.ignore()
            return True
        return False

    def _may_close(self) -> bool:
        self.store.try_saving()
        unsaved = self.store.unsaved_conversations()
        if not unsaved:
            return True
        dialog = UnsavedDialog(self._window, [c.title for c in unsaved], self.store.unsaved_reason or "")
        dialog.exec()
        choice = dialog.choice()
        if choice != "export":
            return choice == "discard"
        folder = choose_folder(self._window)
        if not folder:
            return False
        try:
            for conversation in unsaved:
                target = Path(folder) / f"localchat-unsaved-{conversation.id}.json"
                target.write_text(export_json(self.store, conversation.id), encoding="utf-8")
        except OSError as error:
            self._report(LocalChatError(f"LocalChat couldn't write to {folder}; choose another folder.", str(error)))
            return False
        return True

    # --- storage trouble ---------------------------------------------------------------------------------------

    def _guarded(self, work: Callable[[], object]) -> None:
        """Run a store operation; a failure is shown in the banner and the chat on screen stays as it is."""
        try:
            work()
        except LocalChatError as error:
            self._report(error)
        self.show_notice()

    def _on_retry_timeout(self) -> None:
        self.store.try_saving()
        self.show_notice()

    def show_notice(self) -> None:
        """Keep the storage indicator true: unsaved while kept in memory, plus a one-off notice until dismissed."""
        notice = self.store.notice
        if notice and notice not in self._notices_shown:
            self._notices_shown.add(notice)
            self._indicator.show_notice(notice)
        reason = self.store.unsaved_reason
        if reason != self._indicator.unsaved:
            self._indicator.show_unsaved(reason)
        if reason and self.store.can_retry and not self._retry.isActive():
            self._retry.start()
        elif not reason:
            self._retry.stop()
