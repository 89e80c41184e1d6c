"""Wait reasons: Go 1.19's ``semacquire`` renamed by the stack (``normalise_reason``), and the reason
of a stack that carries none (debug=1 / proto) inferred from its runtime frames (``infer_reason``:
``runtime.chansend`` -> "chan send", ...; stacks we cannot map are "unknown")."""

from __future__ import annotations

from collections.abc import Iterable

from tui.goroutines.records import Frame

UNKNOWN_REASON = "unknown"

# Go 1.19 prints "semacquire" for every sync primitive; 1.20+ names it. Only rename when the
# stack proves which primitive: the first sync frame from the top decides.
_SEMACQUIRE_BY_FRAME = {
    "sync.(*Mutex).lockSlow": "sync.Mutex.Lock",
    "sync.(*Mutex).Lock": "sync.Mutex.Lock",
    "sync.(*RWMutex).RLock": "sync.RWMutex.RLock",
    "sync.(*RWMutex).Lock": "sync.RWMutex.Lock",
    "sync.(*WaitGroup).Wait": "sync.WaitGroup.Wait",
    "sync.(*Cond).Wait": "sync.Cond.Wait",
}


def normalise_reason(status: str, frames: Iterable[Frame]) -> str:
    """Map Go 1.19's ``semacquire`` to the 1.20+ name when the stack shows the primitive."""
    if status != "semacquire":
        return status
    for frame in frames:
        name = _SEMACQUIRE_BY_FRAME.get(frame.func)
        if name is not None:
            return name
    return status


# Runtime/stdlib functions that park a goroutine, for debug=1/proto stacks (which carry no
# reason). Checked from the leaf; the first hit wins.
_REASON_BY_FRAME = {
    "runtime.chansend": "chan send",
    "runtime.chansend1": "chan send",
    "runtime.chanrecv": "chan receive",
    "runtime.chanrecv1": "chan receive",
    "runtime.chanrecv2": "chan receive",
    "runtime.selectgo": "select",
    "runtime.block": "select (no cases)",
    "time.Sleep": "sleep",
    "runtime.timeSleep": "sleep",
    "internal/poll.runtime_pollWait": "IO wait",
    "runtime.netpollblock": "IO wait",
    "sync.runtime_notifyListWait": "sync.Cond.Wait",
    "runtime/pprof.writeGoroutineStacks": "running",
    "runtime/pprof.writeRuntimeProfile": "running",
    "runtime.goroutineProfileWithLabels": "running",
    "runtime.pprof_goroutineProfileWithLabels": "running",
    "runtime.gcBgMarkWorker": "GC worker (idle)",
    "runtime.bgsweep": "GC sweep wait",
    "runtime.bgscavenge": "GC scavenge wait",
    "runtime.forcegchelper": "force gc (idle)",
    "runtime.runfinq": "finalizer wait",
    "syscall.Syscall": "syscall",
    "syscall.Syscall6": "syscall",
    "syscall.RawSyscall": "syscall",
    "syscall.syscall": "syscall",
    "internal/runtime/syscall.Syscall6": "syscall",
    "runtime/internal/syscall.Syscall6": "syscall",
    # signal_recv sleeps in notetsleepg, i.e. in a blocking syscall: debug=2 says [syscall]
    "os/signal.signal_recv": "syscall",
}

# The semaphore plumbing under every sync primitive: the sync frame above it names the wait
# (_SEMACQUIRE_BY_FRAME); with none, it is Go 1.19's plain "semacquire".
_SEMACQUIRE_FRAMES = frozenset(
    {
        "runtime.semacquire1",
        "runtime.semacquire",
        "sync.runtime_Semacquire",
        "sync.runtime_SemacquireMutex",
        "sync.runtime_SemacquireRWMutexR",
        "sync.runtime_SemacquireRWMutex",
        "sync.runtime_SemacquireWaitGroup",
        "internal/sync.runtime_SemacquireMutex",
    }
)


def infer_reason(frames: Iterable[Frame]) -> str:
    """Best guess at the wait reason of a stack without one (debug=1 / proto), from the leaf:
    the first parking function names it (runtime.chanrecv -> "chan receive", runtime.selectgo ->
    "select", ...); the semaphore family is named by the sync frame above it. Needs the runtime
    frames, which the proto keeps and debug=1 / debug=2 text hide ("unknown" then, mostly)."""
    sema = False
    for frame in frames:
        func = frame.func
        if func in _SEMACQUIRE_FRAMES:
            sema = True
            continue
        primitive = _SEMACQUIRE_BY_FRAME.get(func)
        if primitive is not None:
            return primitive
        if sema:
            continue  # inside the sync package's plumbing: look further up for the primitive
        reason = _REASON_BY_FRAME.get(func)
        if reason is not None:
            return reason
    return "semacquire" if sema else UNKNOWN_REASON
