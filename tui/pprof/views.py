"""Wire-compatible "views" of profile.proto that upb can parse without per-sample objects.

Protobuf merges repeated occurrences of a *singular* message field, so declaring
``Profile.sample`` as a singular ``MergedSample`` whose fields are ``repeated bytes``
makes upb (in C) collect every sample's packed ``location_id`` blob into one list
(one element per sample) and every sample's values into one flat int64 list (T per
sample): no Python object per sample.
Labels are parsed separately, only when asked for (``SampleLabels`` view).

The views only work for the usual packed encoding; decode.py verifies the result and
falls back to the plain gencode when a writer used another (legal) encoding.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from tui.model import packed
from tui.pprof import profile_pb2

_F = descriptor_pb2.FieldDescriptorProto
_PKG = "pprof_tui.view"


def _build() -> dict[str, type]:
    base = descriptor_pb2.FileDescriptorProto.FromString(profile_pb2.DESCRIPTOR.serialized_pb)
    fdp = descriptor_pb2.FileDescriptorProto(name="pprof_tui_view.proto", package=_PKG, syntax="proto3")
    for msg in base.message_type:
        copy = fdp.message_type.add()
        copy.CopyFrom(msg)
        for field in copy.field:
            if field.type_name:
                field.type_name = field.type_name.replace(".perftools.profiles.", f".{_PKG}.")
    fast = fdp.message_type.add()
    fast.CopyFrom(next(m for m in base.message_type if m.name == "Profile"))
    fast.name = "FastProfile"
    for field in fast.field:
        if field.type_name:
            field.type_name = field.type_name.replace(".perftools.profiles.", f".{_PKG}.")
        if field.name == "sample":
            field.label = _F.LABEL_OPTIONAL
            field.type_name = f".{_PKG}.MergedSample"
    merged = fdp.message_type.add(name="MergedSample")
    merged.field.add(name="location_id", number=1, type=_F.TYPE_BYTES, label=_F.LABEL_REPEATED)
    merged.field.add(name="value", number=2, type=_F.TYPE_INT64, label=_F.LABEL_REPEATED)

    labels_view = fdp.message_type.add(name="LabelsProfile")
    labels_view.field.add(name="sample", number=2, type=_F.TYPE_MESSAGE, label=_F.LABEL_REPEATED,
                          type_name=f".{_PKG}.SampleLabels")
    sample_labels = fdp.message_type.add(name="SampleLabels")
    sample_labels.field.add(name="label", number=3, type=_F.TYPE_BYTES, label=_F.LABEL_REPEATED)

    label_list = fdp.message_type.add(name="LabelList")
    label_list.field.add(name="label", number=1, type=_F.TYPE_MESSAGE, label=_F.LABEL_REPEATED,
                         type_name=f".{_PKG}.Label")

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    names = ("FastProfile", "LabelsProfile", "LabelList")
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PKG}.{n}")) for n in names}


_CLASSES = _build()
FastProfile = _CLASSES["FastProfile"]
LabelsProfile = _CLASSES["LabelsProfile"]
LabelList = _CLASSES["LabelList"]


# Packed-varint helpers live in tui.model.packed (the model decodes stacks lazily).
varint = packed.varint
packed_field = packed.packed_field
TERMINATORS = packed.TERMINATORS
