import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core import memtune


def test_an_environment_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert memtune.limit_malloc_arenas() is False


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
def test_limits_arenas_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert memtune.limit_malloc_arenas() is True


def test_elsewhere_it_does_nothing(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(memtune.sys, "platform", "darwin")
    assert memtune.limit_malloc_arenas() is False


def test_the_mmap_threshold_setting_in_the_environment_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert memtune.pin_mmap_threshold() is False
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.setattr(memtune.sys, "platform", "darwin")
    assert memtune.pin_mmap_threshold() is False


_FREED_BIG_BLOCK = """
import sys
from tui.core import memtune
if sys.argv[1] == "pin":
    assert memtune.pin_mmap_threshold()
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
n = 30 << 20
first = b"\\0" * n  # freed: glibc raises its mmap threshold to 30 MB unless it is pinned
del first
before = rss()
body = b"\\2" * n  # then the next one comes from the heap, and stays when freed
del body
print(rss() - before)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
@pytest.mark.parametrize(("mode", "stays"), [("pin", False), ("default", True)])
def test_a_freed_big_block_is_given_back(monkeypatch, mode, stays):
    """A 30 MB body freed after another one: back to the system when pinned (the default
    threshold keeps it: the check can fail)."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", _FREED_BIG_BLOCK, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env=env,
    )
    kept_mib = int(out.stdout)
    assert (kept_mib >= 25) is stays, kept_mib
