"""An unchanged body is not parsed again (issue #30): the poller hands back the same parsed object,
so what the screens draw from it is not recomputed either."""

from service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, make_poller, run_until

from tui.model.parsers import HeapData, Parsers
from tui.service.request import ParseMemo


class HeapTarget(ScriptedTarget):
    heap_body = b"heap profile one"

    def body(self, key: str) -> bytes:
        return self.heap_body if key == "heap" else super().body(key)


async def test_an_unchanged_heap_body_is_parsed_once_and_gives_the_same_object():
    clock = FakeClock()
    target = HeapTarget(clock, goroutines=10)
    poller = make_poller(target, clock, heap_every=1)
    parsed: list[bytes] = []

    def heap(data: bytes) -> HeapData:
        parsed.append(bytes(data))
        return HeapData(profile=("profile", bytes(data)), totals={"inuse_space": float(len(data))})

    p = FAKE_PARSERS
    poller.parsers = Parsers(p.index, heap, p.memstats, p.goroutine_debug1, p.goroutine_debug2)
    poller.start()
    await run_until(poller, lambda: target.hits["heap"] >= 4)
    first = poller.latest_data.heap
    assert parsed == [b"heap profile one"]  # fetched 4 times, parsed once
    assert poller.parse_memo.hits >= 3

    target.heap_body = b"heap profile two (after a GC)"
    await run_until(poller, lambda: len(parsed) == 2)
    await run_until(poller, lambda: poller.latest_data.heap is not first)
    await poller.stop()
    assert parsed[1] == b"heap profile two (after a GC)"
    assert poller.latest_data.heap == ("profile", b"heap profile two (after a GC)")


def test_the_memo_keys_by_endpoint_parser_and_bytes():
    memo = ParseMemo()

    def parse_a(data: bytes) -> int:
        return 1

    def parse_b(data: bytes) -> int:
        return 2

    memo.put("heap", parse_a, b"d1", "parsed")
    assert memo.get("heap", parse_a, b"d1") == (True, "parsed")
    assert memo.get("heap", parse_a, b"d2") == (False, None)  # other bytes
    assert memo.get("heap", parse_b, b"d1") == (False, None)  # another parser (another sample type, say)
    assert memo.get("goroutine", parse_a, b"d1") == (False, None)
