"""Stop strings held back across pieces, and fair turns on one engine (no HTTP here)."""

from __future__ import annotations

import threading

import pytest

from engine.process.client import EngineProcess
from engine.process.generation import Piece, StopScanner
from engine.process.turns import EngineTurns, QueueFull, TurnCancelled


def _scan(stops, texts):
    scanner = StopScanner(stops)
    out = [p.text for t in texts for p in scanner.push(Piece(t))]
    return out + [p.text for p in scanner.finish()], scanner.stopped


def test_stop_string_split_across_pieces_is_never_released():
    assert _scan(["END"], ["ab", "cE", "N", "Dxyz"]) == (["ab", "c"], True)
    assert _scan(["END"], ["abE", "Nx"]) == (["abE", "Nx"], False)  # held whole, released once it cannot match
    assert _scan(["b", "cd"], ["a", "", "xc", "d"]) == (["a", "", "x"], True)
    assert _scan([], ["a", "b"]) == (["a", "b"], False)


def test_empty_pieces_keep_their_place_before_a_stop():
    scanner = StopScanner(["é!"])
    released = [p.text for t in ["a", "", "é", "!"] for p in scanner.push(Piece(t))]
    assert released == ["a", ""] and scanner.stopped


def _taker(turns, ticket, log, started, release, positions):
    def run():
        with turns.turn(ticket, positions.append):
            log.append(ticket.number)
            started.set()
            release.wait()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_turns_alternate_between_sources_and_waiters_hear_their_position():
    turns = EngineTurns(EngineProcess())
    gate = threading.Event()
    order: list[int] = []
    with turns.turn(turns.ticket("window")):
        tickets = [turns.ticket(s) for s in ("server", "server", "server", "window")]
        positions = {t.number: [] for t in tickets}
        threads = []
        for ticket in tickets:
            started = threading.Event()
            threads.append(_taker(turns, ticket, order, started, gate, positions[ticket.number]))
            while turns.waiting < len(threads):
                threading.Event().wait(0.001)
        gate.set()
    for thread in threads:
        thread.join(30)
    servers, window = [t.number for t in tickets[:3]], tickets[3].number
    assert order == [servers[0], window, servers[1], servers[2]]
    assert positions[servers[2]][0] == 3 and positions[servers[2]][-1] == 0


def test_a_full_queue_refuses_and_a_cancelled_waiter_leaves():
    turns = EngineTurns(EngineProcess(), max_waiting=1)
    with turns.turn(turns.ticket("server")):
        waiter = turns.ticket("server")
        outcome: list[str] = []

        def wait():
            try:
                with turns.turn(waiter, refusable=True):
                    outcome.append("ran")
            except TurnCancelled:
                outcome.append("cancelled")

        thread = threading.Thread(target=wait)
        thread.start()
        while turns.waiting < 1:
            threading.Event().wait(0.001)
        with pytest.raises(QueueFull) as refused:
            with turns.turn(turns.ticket("server"), refusable=True):
                pass
        assert refused.value.retry_after_s >= 1
        turns.cancel(waiter)
        thread.join(30)
    assert outcome == ["cancelled"] and turns.waiting == 0
