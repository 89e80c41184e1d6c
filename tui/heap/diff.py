"""current - base, like ``pprof -base``: samples merged by identical stack and labels.

Functions are matched by (name, file) and locations by their lines, never by ids or
addresses, so profiles from two runs of a binary (a restart) line up. Values may be
negative; a sample whose values all cancel out is dropped.
"""

from __future__ import annotations

from tui.core.errors import ParseError
from tui.heap.profile import (
    FunctionTable,
    Label,
    LocationTable,
    Profile,
    build_profile,
    frozen_mapping,
)


class _Merger:
    def __init__(self) -> None:
        self.func_ids: dict[tuple[str, str], int] = {}
        self.func_rows: list[tuple[str, str, str, int]] = []  # name, system name, file, start line
        # (lines, mapping file, address): the file and address only for locations without lines
        self.loc_ids: dict[tuple[tuple[tuple[int, int], ...], str, int], int] = {}
        self.loc_rows: list[tuple[int, str, tuple[tuple[int, int], ...]]] = []  # address, mapping, lines

    def function(self, profile: Profile, fid: int) -> int:
        f = profile.functions.get(fid)
        if f is None:
            return 0
        key = (f.name, f.filename)
        new = self.func_ids.get(key)
        if new is None:
            new = self.func_ids[key] = len(self.func_rows) + 1
            self.func_rows.append((f.name, f.system_name, f.filename, f.start_line))
        return new

    def location(self, profile: Profile, lid: int) -> int:
        row = profile.locations.row_of.get(lid)
        if row is None:
            raise ParseError(f"profile: sample references unknown location id {lid}", kind="profile")
        mfile = profile.locations.mapping_files[row]
        lines = tuple((self.function(profile, f), ln) for f, ln in profile.locations.lines[row])
        key = (lines, mfile if not lines else "", profile.locations.addresses[row] if not lines else 0)
        new = self.loc_ids.get(key)
        if new is None:
            new = self.loc_ids[key] = len(self.loc_rows) + 1
            self.loc_rows.append((profile.locations.addresses[row], mfile, lines))
        return new

    def stacks(self, profile: Profile) -> list[tuple[int, ...]]:
        cache: dict[int, int] = {}
        out = []
        for s in range(profile.num_stacks):
            new = []
            for lid in profile.stack(s):
                n = cache.get(lid)
                if n is None:
                    n = cache[lid] = self.location(profile, lid)
                new.append(n)
            out.append(tuple(new))
        return out


def diff(current: Profile, base: Profile) -> Profile:
    """A profile whose sample values are current - base."""
    if [st.type for st in current.sample_types] != [st.type for st in base.sample_types]:
        raise ParseError(
            "base profile has different sample types "
            f"({', '.join(t.type for t in base.sample_types)} vs "
            f"{', '.join(t.type for t in current.sample_types)})",
            kind="profile",
        )
    merger = _Merger()
    ntypes = len(current.sample_types)
    merged: dict[tuple[tuple[int, ...], tuple[Label, ...]], list[int]] = {}
    for profile, sign in ((current, 1), (base, -1)):
        new_stacks = merger.stacks(profile)
        cols = profile.values
        for i, s in enumerate(profile.sample_stack):
            key = (new_stacks[s], profile.labels_of(i))
            acc = merged.get(key)
            if acc is None:
                acc = merged[key] = [0] * ntypes
            for t in range(ntypes):
                acc[t] += sign * cols[t][i]
    stack_index: dict[tuple[int, ...], int] = {}
    samples = []
    for (stack, labels), values in merged.items():
        if not any(values):
            continue
        samples.append((stack_index.setdefault(stack, len(stack_index)), tuple(values), labels))
    fr = merger.func_rows
    functions = FunctionTable(
        ids=tuple(range(1, len(fr) + 1)),
        names=tuple(r[0] for r in fr),
        system_names=tuple(r[1] for r in fr),
        filenames=tuple(r[2] for r in fr),
        start_lines=tuple(r[3] for r in fr),
        row_of=frozen_mapping({i + 1: i for i in range(len(fr))}),
    )
    lr = merger.loc_rows
    locations = LocationTable.from_lines(
        ids=range(1, len(lr) + 1),
        addresses=(r[0] for r in lr),
        mapping_files=(r[1] for r in lr),
        lines=[r[2] for r in lr],
    )
    return build_profile(
        sample_types=current.sample_types,
        default_sample_index=current.default_sample_index,
        stacks=list(stack_index),
        samples=samples,
        functions=functions,
        locations=locations,
        period_type=current.period_type,
        period=current.period,
        time_nanos=current.time_nanos,
        duration_nanos=current.duration_nanos,
        comments=current.comments,
        doc_url=current.doc_url,
        main_file=current.main_file,
        build_id=current.build_id,
    )
