import sys

import pytest

from tui.core import memtune


def test_an_environment_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert memtune.limit_malloc_arenas() is False


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
def test_limits_arenas_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert memtune.limit_malloc_arenas() is True


def test_elsewhere_it_does_nothing(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(memtune.sys, "platform", "darwin")
    assert memtune.limit_malloc_arenas() is False
