"""The streaming benchmark on tiny replies: every figure is reported and both views show what was streamed.

Not a timed test: nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import re

from app.devtools.bench_streaming import GROWTH_TARGET, RATIO_TARGET, measure, report
from app.devtools.streamed_reply import make_chunks, shape


def test_the_reply_is_the_same_every_time_and_its_chunks_split_lines_and_fences():
    chunks = make_chunks(350)
    assert chunks == make_chunks(350)
    reply = shape(chunks)
    assert 330 <= reply.chunks <= 400 and reply.code_blocks > 10
    assert reply.split_lines > reply.chunks // 2 and reply.split_fences > 0
    text = "".join(chunks)
    assert text.count("```") % 2 == 0 and "\n1. **" in text and "\n- " in text


def test_every_figure_is_reported_and_each_view_shows_the_streamed_text(qapp):
    lengths = measure((10, 40), repeats=1)
    for length, count in zip(lengths, (10, 40)):
        streamed = "".join(make_chunks(count))
        assert length.shape.characters == len(streamed)
        assert [run.shown for run in length.localchat + length.baseline] == [streamed, streamed]
    lines = report(lengths, repeats=1)
    text = "\n".join(lines)
    for length in lengths:
        assert f"reply of {length.shape.chunks:,} chunks" in text
    assert len(re.findall(r"LocalChat +\d+\.\d µs a chunk", text)) == 2
    assert len(re.findall(r"QTextCursor\.insertText +\d+\.\d µs a chunk", text)) == 2
    assert len(re.findall(rf"LocalChat / baseline \(<= {RATIO_TARGET:g}\) +\d+\.\d\d \(", text)) == 2
    growth = lines.index(next(line for line in lines if line.lstrip().startswith("growth")))
    assert f"target <= {GROWTH_TARGET:g}" in lines[growth]
    assert re.match(r" +LocalChat +\d+\.\d\d$", lines[growth + 1])
    assert re.match(r" +baseline +\d+\.\d\d$", lines[growth + 2])
    assert len(re.findall(r"chunks: LocalChat +\d+\.\d ms, Qt's setMarkdown +\d+\.\d ms, ratio +\d+\.\d\d", text)) == 2
