"""Bulk codec for packed protobuf varints (C speed through upb, no per-value Python loop)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

from tui.core.errors import ParseError


def build_file_descriptor() -> bytes:
    """Serialized FileDescriptorProto of PackedU64/PackedI64 (SERIALIZED; checked by a test)."""
    from google.protobuf import descriptor_pb2

    _F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="pprof_tui_packed.proto", package="pprof_tui.packed", syntax="proto3")
    for name, ftype in (("PackedU64", _F.TYPE_UINT64), ("PackedI64", _F.TYPE_INT64)):
        m = fdp.message_type.add(name=name)
        m.field.add(name="v", number=1, type=ftype, label=_F.LABEL_REPEATED)
    return fdp.SerializeToString()


SERIALIZED = (
    b'\n\x16pprof_tui_packed.proto\x12\x10pprof_tui.packed"\x16\n\tPackedU64\x12\t\n\x01v\x18\x01 \x03('
    b'\x04"\x16\n\tPackedI64\x12\t\n\x01v\x18\x01 \x03(\x03b\x06proto3'
)


def _load() -> tuple[type[Message], type[Message]]:
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(SERIALIZED)

    def get(name: str) -> type[Message]:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"pprof_tui.packed.{name}"))

    return get("PackedU64"), get("PackedI64")


if TYPE_CHECKING:
    # What the type checker sees of the classes _load() builds (as protoc's .pyi would say).
    from google.protobuf.internal.containers import RepeatedScalarFieldContainer

    class PackedU64(Message):
        v: RepeatedScalarFieldContainer[int]

        def __init__(self, *, v: Iterable[int] | None = None) -> None: ...

    class PackedI64(Message):
        v: RepeatedScalarFieldContainer[int]

        def __init__(self, *, v: Iterable[int] | None = None) -> None: ...

else:
    PackedU64, PackedI64 = _load()


def varint(n: int) -> bytes:
    """Encode a non-negative int as a protobuf varint."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def packed_field(payload: bytes) -> bytes:
    """Wrap concatenated varints as field 1 (length-delimited) of a message."""
    return b"\x0a" + varint(len(payload)) + payload


def decode_uint64s(blob: bytes) -> Sequence[int]:
    """Concatenated varints -> a sequence of ints (a upb container: iterate it, it is C)."""
    try:
        return PackedU64.FromString(packed_field(blob)).v
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad packed ids ({str(exc)[:80]})", kind="profile") from None


def decode_uint64_array(blob: bytes) -> npt.NDArray[np.uint64]:
    """Concatenated varints -> a numpy uint64 array (upb decodes, its container copies out to numpy in C)."""
    return np.array(decode_uint64s(blob), dtype=np.uint64)


def varints_before(blob: bytes, boundaries: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """How many varints of ``blob`` end before each byte offset in ``boundaries``."""
    last_bytes = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) < 0x80)
    return np.searchsorted(last_bytes, boundaries)


def decode_int64s(blob: bytes) -> Sequence[int]:
    try:
        return PackedI64.FromString(packed_field(blob)).v
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad packed values ({str(exc)[:80]})", kind="profile") from None


def encode_uint64s(values: Iterable[int]) -> bytes:
    msg = PackedU64(v=list(values))
    data = msg.SerializeToString()
    if not data:
        return b""
    # Strip the field header (tag + length) to keep only the varints.
    i = 1
    while data[i] & 0x80:
        i += 1
    return data[i + 1 :]
