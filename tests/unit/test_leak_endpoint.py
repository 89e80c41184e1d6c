"""The poller reads goroutineleak?debug=1 on a slow cadence, only when the index lists it."""

import dataclasses

from tests.conftest import fixture_path
from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, make_poller, run_until
from tui.goroutines.debug1 import parse_debug1
from tui.model import snapshot as snap
from tui.service.endpoints import LEAK_EVERY_SECONDS

LEAK_TEXT = fixture_path("go1.27", "goroutineleak_debug1.txt").read_bytes()


class LeakTarget(ScriptedTarget):
    def __init__(self, clock, *, serves_leaks: bool) -> None:
        super().__init__(clock)
        self.serves_leaks = serves_leaks

    def body(self, key: str) -> bytes:
        if key == "index" and self.serves_leaks:
            row = b"<tr><td>256</td><td><a href='goroutineleak?debug=1'>goroutineleak</a></td></tr>\n"
            return super().body(key).replace(b"</table>", row + b"</table>")
        if key == "goroutineleak?debug=1" and self.serves_leaks:
            return LEAK_TEXT
        return super().body(key)


def _poller(target, clock):
    poller = make_poller(target, clock, interval=2)
    poller.parsers = dataclasses.replace(FAKE_PARSERS, goroutineleak=lambda data: parse_debug1(data.decode()))
    return poller


async def test_leak_profile_fetched_every_minute_when_listed():
    clock = FakeClock()
    target = LeakTarget(clock, serves_leaks=True)
    poller = _poller(target, clock)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 5 * LEAK_EVERY_SECONDS)
    await poller.stop()
    hits = target.hits["goroutineleak?debug=1"]
    assert 4 <= hits <= 7  # every ~60 s (not every 2 s poll)
    s = poller.latest
    assert s.goroutine_leaks is not None and s.goroutine_leaks.kind == "goroutineleak"
    assert s.goroutine_leaks.total == 256
    assert s.age(snap.GOROUTINE_LEAKS).fetched_at is not None


async def test_leak_profile_not_fetched_when_the_index_does_not_list_it():
    clock = FakeClock()
    target = LeakTarget(clock, serves_leaks=False)
    poller = _poller(target, clock)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 3 * LEAK_EVERY_SECONDS)
    await poller.stop()
    assert target.hits["goroutineleak?debug=1"] == 0
    assert poller.latest.goroutine_leaks is None
