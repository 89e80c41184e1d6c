"""Live CPU top in the poller: rolling profile?seconds=N windows, off until asked, in the background
(cheap polls keep their cadence), charged to the one budget by what they cost the target (not the
N s held open), backing off on Go's "cpu profiling already in use", stopped by the toggle."""

import asyncio
import dataclasses

import pytest
from pprof_builder import Builder

from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, make_poller, run_until
from tui.model.cpu import CpuTotals, parse_cpu
from tui.service import cpu as cpu_mod
from tui.service.cpu import CpuWatch, window_charge

CPU_TYPES = (("samples", "count"), ("cpu", "nanoseconds"))
CPU_KEY = "profile?seconds=10"
IN_USE_BODY = b"Could not enable CPU profiling: cpu profiling already in use\n"


def cpu_body(started_ns: int, *, burn: int = 300, small: int = 60, seconds: float = 10.0) -> bytes:
    b = Builder(CPU_TYPES)
    b.p.time_nanos = started_ns
    b.p.duration_nanos = int(seconds * 1e9)
    b.p.period = 10_000_000
    b.p.period_type.type = b.s("cpu")
    b.p.period_type.unit = b.s("nanoseconds")
    b.sample(["main.burnCPU", "main.startBurners.func1"], [burn, burn * 10_000_000])
    b.sample(["main.burnCPUSmall", "main.startBurners.func1"], [small, small * 10_000_000])
    return b.bytes(gz=True)


class CpuTarget(ScriptedTarget):
    """Serves profile?seconds=N: held open N s of fake time (the poller's own sleeps move it),
    then a CPU profile; `in_use` answers Go's 500 instead; `build` seconds after the window."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.in_use = False
        self.build = 0.02
        self.windows_open = 0
        self.max_windows_open = 0
        self.cpu_starts: list[float] = []

    async def __call__(self, request):
        key = self.key(request)
        if not key.startswith("profile?"):
            return await super().__call__(request)
        import httpx

        self.hits[key] += 1
        self.cpu_starts.append(self.clock.t)
        if self.in_use:
            return httpx.Response(500, content=IN_USE_BODY)
        seconds = float(request.url.params["seconds"])
        self.windows_open += 1
        self.max_windows_open = max(self.max_windows_open, self.windows_open)
        try:
            start = self.clock.t
            while self.clock.t < start + seconds:
                await asyncio.sleep(0)
            self.clock.t += self.build
            return httpx.Response(200, content=cpu_body(int(start * 1e9)))
        finally:
            self.windows_open -= 1


PARSERS = dataclasses.replace(FAKE_PARSERS, cpu=parse_cpu)


def cpu_poller(target, clock, **cfg):
    poller = make_poller(target, clock, **cfg)
    poller.parsers = PARSERS
    if poller.config.cpu:  # asked for at start (--cpu): on once a CPU parser is there
        poller.set_cpu(True)
    return poller


async def test_off_until_asked_then_windows_roll_in_the_background():
    clock = FakeClock()
    target = CpuTarget(clock)
    poller = cpu_poller(target, clock)
    poller.start()
    await run_until(poller, lambda: target.hits["index"] >= 10)
    assert target.hits[CPU_KEY] == 0  # off until asked
    assert poller.latest is not None and poller.latest.cpu is None
    poller.set_cpu(True)
    await run_until(poller, lambda: poller.cpu.totals.windows >= 3)
    await poller.stop()
    state = poller.latest.cpu
    assert state is not None and state.on
    assert state.window is not None and state.window.funcs[0].name == "main.burnCPU"
    since = {f.name: f.flat for f in state.since}
    assert since["main.burnCPU"] == 3 * 300 * 10_000_000  # this window x 3 windows
    assert state.windows == 3 and state.since_seconds == pytest.approx(30.0)
    # never two windows at once, and the cheap cadence held while windows were open
    assert target.max_windows_open == 1
    index_times = target.times["index"]
    gaps = [b - a for a, b in zip(index_times, index_times[1:])]
    assert max(gaps) < 2.0 + 0.5
    # spacing: at most PROFILER_SHARE of the time profiling
    starts = target.cpu_starts
    assert all(b - a >= 10.0 / cpu_mod.PROFILER_SHARE - 0.01 for a, b in zip(starts, starts[1:]))
    period = poller.cpu.period()
    assert period >= 20.0
    assert f"window 10 s every {period:.0f} s (" in state.status


async def test_charge_is_sampling_and_build_not_the_window_held_open():
    clock = FakeClock()
    target = CpuTarget(clock)
    target.build = 0.3
    poller = cpu_poller(target, clock, cpu=True)
    poller.start()
    await run_until(poller, lambda: poller.cpu.totals.windows >= 1)
    await poller.stop()
    samples = 360
    latency = poller.costs.get("profile").last_latency
    assert latency >= 10.3
    expected = samples * cpu_mod.SAMPLE_COST + (latency - 10.0 - poller.work.round_trip)
    assert poller.cpu.last_charge == pytest.approx(expected)
    assert poller.budget.total_cost >= poller.cpu.charged > 0  # on the one budget (with any dump)
    assert poller.work.spent < 5.0  # the 10 s held open are not counted as target work


def test_window_charge_parts():
    c = window_charge(500, latency=10.25, window=10.0, round_trip=0.05)
    assert c.sampling == pytest.approx(500 * cpu_mod.SAMPLE_COST)
    assert c.build == pytest.approx(0.2)
    assert window_charge(10, latency=9.0, window=10.0, round_trip=0.0).build == 0.0


def test_budget_stretches_the_period_when_windows_cost_more():
    watch = CpuWatch(window=10.0, budget=0.01, on=True)
    watch.last_charge = 0.4  # 0.4 s of target CPU each: the 1 % budget allows one per 40 s
    assert watch.period() == pytest.approx(10.0 + 40.0)
    assert "every 50 s (budget 1 %" in watch.status(0.0, None, 0.0)
    watch.last_charge = 0.01
    assert watch.period() == pytest.approx(20.0)  # the profiler left free half the time


async def test_already_in_use_backs_off_and_says_so():
    clock = FakeClock()
    target = CpuTarget(clock)
    target.in_use = True
    poller = cpu_poller(target, clock, cpu=True)
    poller.start()
    await run_until(poller, lambda: target.hits[CPU_KEY] >= 1 and poller.latest is not None and poller.cpu.in_use)
    first = clock.t
    await run_until(poller, lambda: clock.t > first + 120)
    state = poller.latest.cpu
    tries = target.hits[CPU_KEY]
    assert 2 <= tries <= 1 + 120 / 20 + 1  # no error storm: at most one try per period
    assert "another CPU profile is running in the target; retrying in" in state.status
    target.in_use = False
    await run_until(poller, lambda: poller.cpu.totals.windows >= 1)
    await poller.stop()
    assert poller.latest.cpu.status.startswith("window") or "window" in poller.latest.cpu.status
    assert not poller.cpu.in_use


async def test_toggle_off_cancels_the_window_and_stops():
    clock = FakeClock()
    target = CpuTarget(clock)
    poller = cpu_poller(target, clock, cpu=True)
    poller.start()
    await run_until(poller, lambda: target.windows_open == 1)
    poller.set_cpu(False)
    await run_until(poller, lambda: target.windows_open == 0)
    hits = target.hits[CPU_KEY]
    now = clock.t
    await run_until(poller, lambda: clock.t > now + 100)
    await poller.stop()
    assert target.hits[CPU_KEY] == hits
    assert poller.latest.cpu is not None and not poller.latest.cpu.on
    assert "off" in poller.latest.cpu.status


async def test_turning_on_again_starts_the_since_start_sums_over():
    clock = FakeClock()
    target = CpuTarget(clock)
    poller = cpu_poller(target, clock, cpu=True)
    poller.start()
    await run_until(poller, lambda: poller.cpu.totals.windows >= 1)
    poller.set_cpu(False)
    poller.set_cpu(True)
    assert poller.cpu.totals.windows == 0
    await run_until(poller, lambda: poller.cpu.totals.windows >= 1)
    await poller.stop()


def test_totals_skip_a_repeated_window_and_stay_bounded():
    w = parse_cpu(cpu_body(5))
    totals = CpuTotals(max_funcs=2)
    assert totals.add(w) and not totals.add(w)
    assert totals.windows == 1
    assert len(totals.funcs()) == 2 and totals.dropped >= 1


def test_not_a_cpu_profile_is_a_parse_error():
    from tui.core.errors import ParseError

    with pytest.raises(ParseError, match="not a CPU profile"):
        parse_cpu(Builder().bytes(gz=True))


async def test_a_5xx_says_its_first_line_literally_and_bounded():
    import httpx

    from tui.config import build_config
    from tui.fetch.client import TargetClient
    from tui.fetch.errors import ServerError

    bodies = iter([IN_USE_BODY, b"\x1b[31mred\x1b[0m " + b"x" * 5000 + b"\nsecond line"])
    config = build_config({"target": "h:6060"}, env={})
    client = TargetClient(config, transport=httpx.MockTransport(lambda r: httpx.Response(500, content=next(bodies))))
    with pytest.raises(ServerError, match="HTTP 500 from the target or a proxy: Could not enable CPU profiling"):
        await client.get("profile", params={"seconds": "10"}, expect="profile", gunzip=True)
    with pytest.raises(ServerError) as exc:
        await client.get("profile", params={"seconds": "10"}, expect="profile", gunzip=True)
    message = str(exc.value)
    assert "\x1b" not in message and "␛[31m" in message
    assert "second line" not in message and len(message) < 400
    await client.aclose()


async def test_a_4xx_says_why_too():
    """Go's pprof answers 400 when the window is longer than the server's WriteTimeout."""
    import httpx

    from tui.config import build_config
    from tui.fetch.client import TargetClient
    from tui.fetch.errors import FetchError

    body = b"profile duration exceeds server's WriteTimeout\n"
    config = build_config({"target": "h:6060"}, env={})
    client = TargetClient(config, transport=httpx.MockTransport(lambda r: httpx.Response(400, content=body)))
    with pytest.raises(FetchError, match="HTTP 400: profile duration exceeds server's WriteTimeout"):
        await client.get("profile", params={"seconds": "10"}, expect="profile", gunzip=True)
    await client.aclose()


def test_cpu_options():
    import argparse

    from tui.config import ConfigError, add_connection_arguments, build_config, config_from_args

    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    config = config_from_args(parser.parse_args(["h:6060", "--cpu", "--cpu-window", "5"]), env={})
    assert config.cpu and config.cpu_window == 5.0
    default = config_from_args(parser.parse_args(["h:6060"]), env={})
    assert not default.cpu and default.cpu_window == 10.0
    with pytest.raises(ConfigError, match="cpu_window"):
        build_config({"target": "h:6060", "cpu_window": 0.5}, env={})


def test_a_session_started_with_cpu_reads_its_windows_back():
    from types import SimpleNamespace

    from tui.config import Config
    from tui.sessions.follow import session_cpu

    def session(options, asked=None):  # a session's options, and what a UI asked since (`C`)
        return SimpleNamespace(info={"options": options}, cpu_request=lambda: asked)

    on = session_cpu(Config(), session({"cpu": True, "cpu_window": 5.0}))
    assert on.cpu and on.cpu_window == 5.0
    assert not session_cpu(Config(), session({})).cpu
    assert not session_cpu(Config(), None).cpu
    hostile = session_cpu(Config(), session({"cpu": True, "cpu_window": 1e9}))
    assert hostile.cpu and hostile.cpu_window == 10.0
    assert session_cpu(Config(), session({}, asked=True)).cpu
    assert not session_cpu(Config(), session({"cpu": True}, asked=False)).cpu


def test_a_window_claiming_a_billion_samples_is_charged_what_a_window_can_cost():
    # issue #31: 10**9 samples charged 200,000 s and scheduled the next dump 16,666,666 min away
    from tui.service.cpu import MAX_CORES, SAMPLE_COST, SAMPLE_HZ

    c = window_charge(10**9, latency=10.2, window=10.0, round_trip=0.05)
    assert c.sampling == SAMPLE_HZ * 10.0 * MAX_CORES * SAMPLE_COST  # 51.2 s: 256 busy cores for 10 s
    assert window_charge(500, latency=10.2, window=10.0, round_trip=0.05).sampling == 500 * SAMPLE_COST
    assert window_charge(10**9, latency=10.2, window=float("nan"), round_trip=0.05).sampling == 0.0
