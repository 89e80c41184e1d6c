"""Wire-compatible "views" of profile.proto that upb can parse without per-sample objects.

Protobuf merges repeated occurrences of a *singular* message field, so declaring
``Profile.sample`` as a singular ``MergedSample`` (``repeated bytes location_id``,
``repeated bytes value``) makes upb (in C) collect every sample's packed ``location_id`` and
``value`` blobs into two lists (one element per sample): no Python object per sample.
Labels are parsed separately, only when asked for (``SampleLabels`` view).
``string_table`` is bytes in every view: Go writes names as they are, valid UTF-8 or not,
and a proto3 ``string`` field would make upb reject the whole profile.
Locations and functions are read as raw bytes: concatenated, they parse as one
``MergedLocation``/``MergedFunction`` whose repeated fields are the columns (decode.py
checks they line up, else parses each message with ``RawLineLocation``/``Function``).

The views only work for the usual packed encoding; decode.py verifies the result and
falls back to the plain gencode when a writer used another (legal) encoding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from tui.heap import packed

_PKG = "pprof_tui.view"


def build_file_descriptor() -> bytes:
    """The serialized FileDescriptorProto of the views (what SERIALIZED holds).

    Uses descriptor_pb2 (slow to import), so the import path loads SERIALIZED instead;
    tests/unit/test_profile_views.py checks that the two agree.
    """
    from google.protobuf import descriptor_pb2

    from tui.wire import profile_pb2

    _F = descriptor_pb2.FieldDescriptorProto
    base = descriptor_pb2.FileDescriptorProto.FromString(profile_pb2.DESCRIPTOR.serialized_pb)
    fdp = descriptor_pb2.FileDescriptorProto(name="pprof_tui_view.proto", package=_PKG, syntax="proto3")
    for msg in base.message_type:
        copy = fdp.message_type.add()
        copy.CopyFrom(msg)
        for field in copy.field:
            if field.type_name:
                field.type_name = field.type_name.replace(".perftools.profiles.", f".{_PKG}.")
            if field.name == "string_table":
                field.type = _F.TYPE_BYTES  # proto3 strings must be UTF-8; Go writes any bytes
    fast = fdp.message_type.add()
    fast.CopyFrom(next(m for m in base.message_type if m.name == "Profile"))
    fast.name = "FastProfile"
    for field in fast.field:
        if field.type_name:
            field.type_name = field.type_name.replace(".perftools.profiles.", f".{_PKG}.")
        if field.name == "string_table":
            field.type = _F.TYPE_BYTES
        if field.name == "sample":
            field.label = _F.LABEL_OPTIONAL
            field.type_name = f".{_PKG}.MergedSample"
        if field.name in ("location", "function"):  # raw messages, parsed merged by decode.py
            field.type = _F.TYPE_BYTES
            field.ClearField("type_name")
    raw_loc = fdp.message_type.add()
    raw_loc.CopyFrom(next(m for m in base.message_type if m.name == "Location"))
    raw_loc.name = "RawLineLocation"
    for field in raw_loc.field:
        if field.name == "line":
            field.type = _F.TYPE_BYTES
            field.ClearField("type_name")
    merged = {
        "MergedLine": (("function_id", _F.TYPE_UINT64), ("line", _F.TYPE_INT64), ("column", _F.TYPE_INT64)),
        "MergedLocation": (
            ("id", _F.TYPE_UINT64),
            ("mapping_id", _F.TYPE_UINT64),
            ("address", _F.TYPE_UINT64),
            ("line", _F.TYPE_BYTES),
            ("is_folded", _F.TYPE_BOOL),
        ),
        "MergedFunction": (
            ("id", _F.TYPE_UINT64),
            ("name", _F.TYPE_INT64),
            ("system_name", _F.TYPE_INT64),
            ("filename", _F.TYPE_INT64),
            ("start_line", _F.TYPE_INT64),
        ),
    }
    for message, fields in merged.items():
        m = fdp.message_type.add(name=message)
        for number, (name, ftype) in enumerate(fields, start=1):
            m.field.add(name=name, number=number, type=ftype, label=_F.LABEL_REPEATED)
    merged_sample = fdp.message_type.add(name="MergedSample")
    merged_sample.field.add(name="location_id", number=1, type=_F.TYPE_BYTES, label=_F.LABEL_REPEATED)
    # values as their packed blobs too: decode.py counts them before expanding them to int64s (an
    # int64 list is 8 bytes a value: a hostile sample of 100 M one-byte values would take 800 MB)
    merged_sample.field.add(name="value", number=2, type=_F.TYPE_BYTES, label=_F.LABEL_REPEATED)

    labels_view = fdp.message_type.add(name="LabelsProfile")
    labels_view.field.add(
        name="sample", number=2, type=_F.TYPE_MESSAGE, label=_F.LABEL_REPEATED, type_name=f".{_PKG}.SampleLabels"
    )
    sample_labels = fdp.message_type.add(name="SampleLabels")
    sample_labels.field.add(name="label", number=3, type=_F.TYPE_BYTES, label=_F.LABEL_REPEATED)

    label_list = fdp.message_type.add(name="LabelList")
    label_list.field.add(
        name="label", number=1, type=_F.TYPE_MESSAGE, label=_F.LABEL_REPEATED, type_name=f".{_PKG}.Label"
    )

    return fdp.SerializeToString()


# Regenerate with: python3 scripts/gen_views.py
SERIALIZED = (
    b'\n\x14pprof_tui_view.proto\x12\x0epprof_tui.view"\xce\x03\n\x07Profile\x12.\n\x0bsample_type\x18\x01 \x03('
    b"\x0b2\x19.pprof_tui.view.ValueType\x12&\n\x06sample\x18\x02 \x03(\x0b2\x16.pprof_tui.view.Sample\x12("
    b"\n\x07mapping\x18\x03 \x03(\x0b2\x17.pprof_tui.view.Mapping\x12*\n\x08location\x18\x04 \x03(\x0b2\x18.pprof_tui"
    b".view.Location\x12*\n\x08function\x18\x05 \x03(\x0b2\x18.pprof_tui.view.Function\x12\x14\n\x0cstring_t"
    b"able\x18\x06 \x03(\x0c\x12\x13\n\x0bdrop_frames\x18\x07 \x01(\x03\x12\x13\n\x0bkeep_frames\x18\x08 \x01(\x03\x12\x12\n\ntime_nanos\x18\t \x01"
    b"(\x03\x12\x16\n\x0eduration_nanos\x18\n \x01(\x03\x12.\n\x0bperiod_type\x18\x0b \x01(\x0b2\x19.pprof_tui.view.Value"
    b"Type\x12\x0e\n\x06period\x18\x0c \x01(\x03\x12\x0f\n\x07comment\x18\r \x03(\x03\x12\x1b\n\x13default_sample_type\x18\x0e \x01(\x03\x12\x0f\n\x07"
    b'doc_url\x18\x0f \x01(\x03"\'\n\tValueType\x12\x0c\n\x04type\x18\x01 \x01(\x03\x12\x0c\n\x04unit\x18\x02 \x01(\x03"R\n\x06Sample\x12\x13\n\x0blo'
    b'cation_id\x18\x01 \x03(\x04\x12\r\n\x05value\x18\x02 \x03(\x03\x12$\n\x05label\x18\x03 \x03(\x0b2\x15.pprof_tui.view.Label"@'
    b'\n\x05Label\x12\x0b\n\x03key\x18\x01 \x01(\x03\x12\x0b\n\x03str\x18\x02 \x01(\x03\x12\x0b\n\x03num\x18\x03 \x01(\x03\x12\x10\n\x08num_unit\x18\x04 \x01(\x03"\xdd\x01\n\x07M'
    b"apping\x12\n\n\x02id\x18\x01 \x01(\x04\x12\x14\n\x0cmemory_start\x18\x02 \x01(\x04\x12\x14\n\x0cmemory_limit\x18\x03 \x01(\x04\x12\x13\n\x0bfile"
    b"_offset\x18\x04 \x01(\x04\x12\x10\n\x08filename\x18\x05 \x01(\x03\x12\x10\n\x08build_id\x18\x06 \x01(\x03\x12\x15\n\rhas_functions\x18\x07 \x01"
    b"(\x08\x12\x15\n\rhas_filenames\x18\x08 \x01(\x08\x12\x18\n\x10has_line_numbers\x18\t \x01(\x08\x12\x19\n\x11has_inline_fram"
    b'es\x18\n \x01(\x08"r\n\x08Location\x12\n\n\x02id\x18\x01 \x01(\x04\x12\x12\n\nmapping_id\x18\x02 \x01(\x04\x12\x0f\n\x07address\x18\x03 \x01(\x04\x12'
    b'"\n\x04line\x18\x04 \x03(\x0b2\x14.pprof_tui.view.Line\x12\x11\n\tis_folded\x18\x05 \x01(\x08"9\n\x04Line\x12\x13\n\x0bfunc'
    b'tion_id\x18\x01 \x01(\x04\x12\x0c\n\x04line\x18\x02 \x01(\x03\x12\x0e\n\x06column\x18\x03 \x01(\x03"_\n\x08Function\x12\n\n\x02id\x18\x01 \x01(\x04\x12\x0c\n'
    b"\x04name\x18\x02 \x01(\x03\x12\x13\n\x0bsystem_name\x18\x03 \x01(\x03\x12\x10\n\x08filename\x18\x04 \x01(\x03\x12\x12\n\nstart_line\x18\x05 \x01(\x03"
    b'"\xa4\x03\n\x0bFastProfile\x12.\n\x0bsample_type\x18\x01 \x03(\x0b2\x19.pprof_tui.view.ValueType\x12,\n\x06sa'
    b"mple\x18\x02 \x01(\x0b2\x1c.pprof_tui.view.MergedSample\x12(\n\x07mapping\x18\x03 \x03(\x0b2\x17.pprof_tui."
    b"view.Mapping\x12\x10\n\x08location\x18\x04 \x03(\x0c\x12\x10\n\x08function\x18\x05 \x03(\x0c\x12\x14\n\x0cstring_table\x18\x06 \x03(\x0c"
    b"\x12\x13\n\x0bdrop_frames\x18\x07 \x01(\x03\x12\x13\n\x0bkeep_frames\x18\x08 \x01(\x03\x12\x12\n\ntime_nanos\x18\t \x01(\x03\x12\x16\n\x0edura"
    b"tion_nanos\x18\n \x01(\x03\x12.\n\x0bperiod_type\x18\x0b \x01(\x0b2\x19.pprof_tui.view.ValueType\x12\x0e\n\x06pe"
    b"riod\x18\x0c \x01(\x03\x12\x0f\n\x07comment\x18\r \x03(\x03\x12\x1b\n\x13default_sample_type\x18\x0e \x01(\x03\x12\x0f\n\x07doc_url\x18\x0f "
    b'\x01(\x03"c\n\x0fRawLineLocation\x12\n\n\x02id\x18\x01 \x01(\x04\x12\x12\n\nmapping_id\x18\x02 \x01(\x04\x12\x0f\n\x07address\x18\x03 \x01('
    b'\x04\x12\x0c\n\x04line\x18\x04 \x03(\x0c\x12\x11\n\tis_folded\x18\x05 \x01(\x08"?\n\nMergedLine\x12\x13\n\x0bfunction_id\x18\x01 \x03(\x04\x12'
    b'\x0c\n\x04line\x18\x02 \x03(\x03\x12\x0e\n\x06column\x18\x03 \x03(\x03"b\n\x0eMergedLocation\x12\n\n\x02id\x18\x01 \x03(\x04\x12\x12\n\nmapping'
    b'_id\x18\x02 \x03(\x04\x12\x0f\n\x07address\x18\x03 \x03(\x04\x12\x0c\n\x04line\x18\x04 \x03(\x0c\x12\x11\n\tis_folded\x18\x05 \x03(\x08"e\n\x0eMergedF'
    b"unction\x12\n\n\x02id\x18\x01 \x03(\x04\x12\x0c\n\x04name\x18\x02 \x03(\x03\x12\x13\n\x0bsystem_name\x18\x03 \x03(\x03\x12\x10\n\x08filename\x18\x04 \x03"
    b'(\x03\x12\x12\n\nstart_line\x18\x05 \x03(\x03"2\n\x0cMergedSample\x12\x13\n\x0blocation_id\x18\x01 \x03(\x0c\x12\r\n\x05value\x18\x02'
    b' \x03(\x0c"=\n\rLabelsProfile\x12,\n\x06sample\x18\x02 \x03(\x0b2\x1c.pprof_tui.view.SampleLabels"\x1d\n'
    b'\x0cSampleLabels\x12\r\n\x05label\x18\x03 \x03(\x0c"1\n\tLabelList\x12$\n\x05label\x18\x01 \x03(\x0b2\x15.pprof_tui.v'
    b"iew.Labelb\x06proto3"
)


def _load() -> dict[str, type[Message]]:
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(SERIALIZED)
    names = (
        "FastProfile",
        "LabelsProfile",
        "LabelList",
        "MergedLine",
        "MergedLocation",
        "MergedFunction",
        "RawLineLocation",
        "Function",
        "Line",
        "Profile",
    )
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PKG}.{n}")) for n in names}


if TYPE_CHECKING:
    # What the type checker sees of the classes _load() builds at run time: the fields
    # decode.py reads, declared the way protoc's .pyi declares gencode (repeated fields are
    # upb containers; string indexes are ints, strings bytes).
    from google.protobuf.internal.containers import RepeatedCompositeFieldContainer, RepeatedScalarFieldContainer

    class _ValueType(Message):
        type: int
        unit: int

    class _Mapping(Message):
        id: int
        filename: int
        build_id: int

    class _MergedSample(Message):
        location_id: RepeatedScalarFieldContainer[bytes]  # one packed blob per sample
        value: RepeatedScalarFieldContainer[bytes]  # one packed blob of values per sample

    class _Label(Message):
        key: int
        str: int
        num: int
        num_unit: int

    class _Sample(Message):
        location_id: RepeatedScalarFieldContainer[int]
        value: RepeatedScalarFieldContainer[int]
        label: RepeatedCompositeFieldContainer[_Label]

    class _SampleLabels(Message):
        label: RepeatedScalarFieldContainer[bytes]  # raw Label messages

    class FastProfile(Message):
        sample_type: RepeatedCompositeFieldContainer[_ValueType]
        sample: _MergedSample
        mapping: RepeatedCompositeFieldContainer[_Mapping]
        location: RepeatedScalarFieldContainer[bytes]  # raw Location messages
        function: RepeatedScalarFieldContainer[bytes]  # raw Function messages
        string_table: RepeatedScalarFieldContainer[bytes]
        time_nanos: int
        duration_nanos: int
        period_type: _ValueType
        period: int
        comment: RepeatedScalarFieldContainer[int]
        default_sample_type: int
        doc_url: int

    class LabelsProfile(Message):
        sample: RepeatedCompositeFieldContainer[_SampleLabels]

    class LabelList(Message):
        label: RepeatedCompositeFieldContainer[_Label]

    class MergedLine(Message):
        function_id: RepeatedScalarFieldContainer[int]
        line: RepeatedScalarFieldContainer[int]

    class MergedLocation(Message):
        id: RepeatedScalarFieldContainer[int]
        mapping_id: RepeatedScalarFieldContainer[int]
        address: RepeatedScalarFieldContainer[int]
        line: RepeatedScalarFieldContainer[bytes]  # raw Line messages, every location's

    class MergedFunction(Message):
        id: RepeatedScalarFieldContainer[int]
        name: RepeatedScalarFieldContainer[int]
        system_name: RepeatedScalarFieldContainer[int]
        filename: RepeatedScalarFieldContainer[int]
        start_line: RepeatedScalarFieldContainer[int]

    class RawLineLocation(Message):
        id: int
        mapping_id: int
        address: int
        line: RepeatedScalarFieldContainer[bytes]  # raw Line messages

    class Function(Message):
        id: int
        name: int
        system_name: int
        filename: int
        start_line: int

    class Line(Message):
        function_id: int
        line: int

    class _Location(Message):
        id: int
        mapping_id: int
        address: int
        line: RepeatedCompositeFieldContainer[Line]

    class Profile(Message):  # the whole message, string_table as bytes (the slow path; goroutine protos)
        sample_type: RepeatedCompositeFieldContainer[_ValueType]
        sample: RepeatedCompositeFieldContainer[_Sample]
        mapping: RepeatedCompositeFieldContainer[_Mapping]
        location: RepeatedCompositeFieldContainer[_Location]
        function: RepeatedCompositeFieldContainer[Function]
        string_table: RepeatedScalarFieldContainer[bytes]

else:
    _CLASSES = _load()
    FastProfile = _CLASSES["FastProfile"]
    LabelsProfile = _CLASSES["LabelsProfile"]
    LabelList = _CLASSES["LabelList"]
    MergedLine = _CLASSES["MergedLine"]
    MergedLocation = _CLASSES["MergedLocation"]
    MergedFunction = _CLASSES["MergedFunction"]
    RawLineLocation = _CLASSES["RawLineLocation"]
    Function = _CLASSES["Function"]
    Line = _CLASSES["Line"]
    Profile = _CLASSES["Profile"]  # the whole message, string_table as bytes (the slow path)


# Packed-varint helpers live in tui.heap.packed (the model decodes stacks lazily).
varint = packed.varint
