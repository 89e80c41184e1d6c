"""The parse worker: big bodies parsed in a child process whose address space is capped, that is
killed (not waited for) on close, dies with its parent, and is replaced after a failure."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import worker_parsers as wp

from tests.conftest import fixture_path
from tui.core.errors import LimitExceeded, ParseError
from tui.model.parsers import default_parsers
from tui.service import parse_worker
from tui.service.parse_worker import MiB, OutOfMemory, ParserFailed, ParseWorker, WorkerDied

pytestmark = pytest.mark.skipif(not parse_worker.available(), reason="needs fork/exec and rlimits")

# generous bounds for "at once": what the tests check is that nothing waits for a minute-long parse
GONE_WITHIN = 10.0


def gone(pid: int) -> bool:
    """The process ended (reaped, or a zombie nobody reaps: a container's pid 1 may not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def wait_gone(pid: int) -> bool:
    end = time.monotonic() + GONE_WITHIN
    while time.monotonic() < end:
        if gone(pid):
            return True
        await asyncio.sleep(0.02)
    return gone(pid)


@pytest.fixture
async def worker():
    w = ParseWorker(min_body=0)
    yield w
    w.close()


async def test_a_dump_parses_in_the_child_as_in_a_thread(worker):
    parsers = default_parsers()
    body = fixture_path("go1.27", "goroutine_debug2.txt").read_bytes()
    assert worker.wants(parsers.goroutine_debug2, body)
    tree = await worker.parse("goroutine?debug=2", parsers.goroutine_debug2, body)
    in_thread = parsers.goroutine_debug2(body)
    assert (tree.groups, tree.total, tree.creators) == (in_thread.groups, in_thread.total, in_thread.creators)
    assert tree.total > 100
    pid = worker.pid
    assert pid is not None and pid != os.getpid()
    # where it ran: the child, and the same child the next time (it stays while polls come)
    assert await worker.parse("x", wp.where, b"abc") == (pid, 3)
    assert worker.spawned == 1


async def test_small_bodies_and_unpicklable_parsers_stay_in_the_thread():
    worker = ParseWorker()  # default threshold
    parsers = default_parsers()
    small = fixture_path("go1.27", "goroutine_debug2.txt").read_bytes()
    assert len(small) < parse_worker.MIN_BODY_BYTES
    assert not worker.wants(parsers.goroutine_debug2, small)
    big = wp.big_dump(parse_worker.MIN_BODY_BYTES // 300)
    assert worker.wants(parsers.goroutine_debug2, big)
    assert not worker.wants(lambda data: len(data), big)  # a test's lambda does not pickle
    assert await worker.parse("x", lambda data: len(data), big) == len(big)
    assert worker.spawned == 0
    worker.close()


async def test_errors_come_back_as_the_parser_raised_them(worker):
    parsers = default_parsers()
    with pytest.raises(ParseError) as in_thread:
        parsers.goroutine_debug2(b"goroutine x\nnot a dump")
    with pytest.raises(ParseError) as in_child:
        await worker.parse("goroutine?debug=2", parsers.goroutine_debug2, b"goroutine x\nnot a dump")
    assert str(in_child.value) == str(in_thread.value)
    assert in_child.value.kind == in_thread.value.kind
    with pytest.raises(LimitExceeded, match="3 bytes: over the limit"):
        await worker.parse("x", wp.too_big, b"abc")
    with pytest.raises(KeyError) as bug:  # a parser bug keeps its type, and its frames for the log
        await worker.parse("x", wp.key_bug, b"abc")
    assert "key_bug" in bug.value.remote_traceback
    with pytest.raises(ParserFailed, match="Odd: odd 1 2"):  # one that cannot be rebuilt: named
        await worker.parse("x", wp.odd_bug, b"abc")
    assert worker.spawned == 1  # none of these ends the child


async def test_running_out_of_the_cap_is_the_polls_error_and_the_next_body_gets_a_fresh_child():
    worker = ParseWorker(memory_limit=256 * MiB, min_body=0)
    with pytest.raises(OutOfMemory) as err:
        await worker.parse("goroutine?debug=2", wp.allocate, b"2048\n")  # 2 GB
    assert str(err.value) == "parse of goroutine?debug=2 ran out of its 256 MB memory limit"
    first = worker.spawned
    assert first == 1 and worker.pid is None  # it is gone
    assert await worker.parse("x", wp.allocate, b"16\n") == 16 * MiB
    assert worker.spawned == 2
    worker.close()


async def test_a_hostile_dump_hits_the_cap_not_the_app():
    """A real dump too big for the cap (48 MB of text: the child holds it twice while it reads
    it): an error message for that poll; the same dump under the default cap parses."""
    body = wp.big_dump(120_000)
    parsers = default_parsers()
    capped = ParseWorker(memory_limit=96 * MiB, min_body=0)
    with pytest.raises(OutOfMemory, match=r"^parse of goroutine\?debug=2 ran out of its 96 MB memory limit$"):
        await capped.parse("goroutine?debug=2", parsers.goroutine_debug2, body)
    capped.close()
    worker = ParseWorker(min_body=0)
    tree = await worker.parse("goroutine?debug=2", parsers.goroutine_debug2, body)
    assert tree.total == 120_000
    worker.close()


async def test_a_child_that_dies_is_the_polls_error_and_is_replaced(worker):
    pid = (await worker.parse("x", wp.where, b""))[0]
    with pytest.raises(
        WorkerDied, match=r"^parse of heap\?debug=1 failed: its worker process died \(killed by SIGKILL\)$"
    ):
        await worker.parse("heap?debug=1", wp.die, b"")
    assert gone(pid)
    assert (await worker.parse("x", wp.where, b""))[0] != pid
    assert worker.spawned == 2


async def test_close_mid_parse_kills_the_child_without_waiting_for_the_parse(worker):
    await worker.parse("x", wp.where, b"")  # started
    pid = worker.pid
    task = asyncio.create_task(worker.parse("goroutine?debug=2", wp.hang, b"x" * (8 * MiB)))
    await asyncio.sleep(0.3)
    assert not task.done()
    started = time.monotonic()
    worker.close()
    with pytest.raises(WorkerDied, match="killed by SIGKILL"):
        await asyncio.wait_for(task, GONE_WITHIN)
    assert time.monotonic() - started < GONE_WITHIN  # not the minute the parse would take
    assert gone(pid)
    # closed for good: later bodies parse in a thread, no child is started again
    assert not worker.wants(wp.where, b"")
    assert await worker.parse("x", wp.where, b"ab") == (os.getpid(), 2)
    assert worker.spawned == 1


async def test_cancelling_a_parse_kills_its_child_and_the_next_gets_a_fresh_one(worker):
    task = asyncio.create_task(worker.parse("goroutine?debug=2", wp.hang, b"x"))
    while worker.pid is None:
        await asyncio.sleep(0.01)
    pid = worker.pid
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_gone(pid)
    assert (await worker.parse("x", wp.where, b""))[0] not in (pid, os.getpid())
    assert worker.spawned == 2


async def test_a_slow_parse_does_not_hold_another(worker):
    """The poller's expensive request and its cheap polls each get a child."""
    slow = asyncio.create_task(worker.parse("goroutine?debug=2", wp.hang, b"x"))
    while worker.pid is None:
        await asyncio.sleep(0.01)
    first = worker.pid
    pid, _ = await asyncio.wait_for(worker.parse("heap?debug=1", wp.where, b""), GONE_WITHIN)
    assert pid not in (first, os.getpid())
    assert set(worker.pids) == {first, pid}
    worker.close()
    with pytest.raises(WorkerDied):
        await slow
    assert await wait_gone(first) and await wait_gone(pid)


async def test_an_idle_child_is_ended():
    worker = ParseWorker(min_body=0, idle_seconds=0.2)
    pid, _ = await worker.parse("x", wp.where, b"")
    assert worker.pid == pid
    assert await wait_gone(pid)
    assert worker.pid is None
    assert (await worker.parse("x", wp.where, b""))[0] != pid  # a fresh one for the next body
    worker.close()


async def test_a_result_that_does_not_pickle_comes_from_a_thread(worker):
    result = await worker.parse("x", wp.unpicklable_result, b"abcd")
    assert result() == 4
    assert not worker.wants(wp.unpicklable_result, b"abcd")  # remembered: no second try in the child


def test_the_child_dies_with_its_parent(tmp_path: Path):
    """The app killed (SIGKILL: no cleanup runs) mid-parse: its worker notices and exits."""
    script = tmp_path / "app.py"
    script.write_text(
        "import asyncio, sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[2])!r}]\n"
        "import worker_parsers as wp\n"
        "from tui.service.parse_worker import ParseWorker\n"
        "async def main():\n"
        "    w = ParseWorker(min_body=0)\n"
        "    task = asyncio.create_task(w.parse('x', wp.hang, b'x'))\n"
        "    while w.pid is None:\n"
        "        await asyncio.sleep(0.01)\n"
        "    print(w.pid, flush=True)\n"
        "    await task\n"
        "asyncio.run(main())\n"
    )
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        child = int(app.stdout.readline())
        time.sleep(0.3)  # the child is in the minute-long parse
        assert not gone(child)
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=GONE_WITHIN)
        end = time.monotonic() + GONE_WITHIN
        while not gone(child) and time.monotonic() < end:
            time.sleep(0.02)
        assert gone(child), "the worker outlived the app"
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


async def test_a_child_that_cannot_start_leaves_the_parses_to_threads(monkeypatch):
    """A child that ends by itself before it is ready (its Python cannot import tui, say): that
    body and every later one parse in a thread, as before the worker; no poll fails for it."""
    monkeypatch.setattr(parse_worker, "_BOOT", "import sys; sys.exit(3)")
    worker = ParseWorker(min_body=0)
    assert await worker.parse("x", wp.where, b"ab") == (os.getpid(), 2)
    assert worker.broken == "exit status 3"
    assert not worker.wants(wp.where, b"ab")
    assert await worker.parse("x", wp.where, b"abc") == (os.getpid(), 3)
    assert worker.spawned == 1
    worker.close()


async def test_a_worker_dropped_without_close_ends_its_child():
    worker = ParseWorker(min_body=0)
    pid, _ = await worker.parse("x", wp.where, b"")
    del worker
    import gc

    gc.collect()
    assert await wait_gone(pid)
