"""A reply from a server keeps where it came from through the store's checks."""

from __future__ import annotations

from app.storage.validate import Notes, reply_stats
from engine.runtime.record import ReplyRecord


def test_a_replys_provenance_and_notes_pass_the_stores_checks_unrepaired():
    remote = ReplyRecord(server="http://gpu-box:8000/v1", model="llama", counted_by="client",
                         notes=["The server does not take stream_options, so it was asked without them."]).to_dict()
    for stats in (remote, ReplyRecord().to_dict()):
        notes = Notes()
        assert reply_stats(stats, "stats", notes) == stats
        assert notes.lines == []
