"""Finding rows again after moves (property test): a change goes to a row holding its
key, or to none; never to another client's row."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.backends.row_keys import KeyColumns, relocate

COLS = KeyColumns(header_row=1, key=0, name=1)

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["", "", "C1", "C2", "C3", "C4", "C5"]), st.sampled_from(["A", "B", "C"])
    ),
    min_size=1,
    max_size=12,
)


@given(
    rows=rows_strategy,
    order=st.lists(st.integers(min_value=0, max_value=30), max_size=15),
    blanks=st.lists(st.integers(min_value=0, max_value=15), max_size=3),
)
def test_a_change_lands_only_on_a_row_with_its_key(rows, order, blanks):
    read = [["ID", "Client"], *[list(r) for r in rows]]
    # rows now: some of the old rows (deleted, duplicated by a copy, reordered), blank rows added
    body = [read[1 + i % len(rows)] for i in order]
    for at in blanks:
        body.insert(min(at, len(body)), ["", ""])
    now = [read[0], *body]
    wanted = {r: read[r - 1][0] for r in range(2, len(read) + 1)}
    found, skipped, twins = relocate(read, [r[0] for r in now], [r[1] for r in now], COLS, wanted)
    assert twins <= set(found) and all(not wanted[r] for r in twins)
    assert set(found) | set(skipped) == set(wanted) and not set(found) & set(skipped)
    for old, new in found.items():
        assert now[new - 1][0] == read[old - 1][0]  # the same ID (or both without one)
        if not read[old - 1][0]:
            assert now[new - 1][1] == read[old - 1][1]  # no ID: the same client name
        assert new >= 2  # never the header
    # a row whose ID is on exactly one row before and after is always found
    for old, key in wanted.items():
        if key and [r[0] for r in read].count(key) == 1 and [r[0] for r in now].count(key) == 1:
            assert found[old] == [r[0] for r in now].index(key) + 1


def test_an_id_pasted_onto_several_rows_that_moved_is_told_by_the_client_name():
    read = [["ID", "Client"], ["C1", "Alpha"], ["C2", "Gamma"], ["C1", "Beta"], ["C1", "Beta"]]
    now = [read[0], ["", ""], read[4], read[3], read[2], read[1]]  # sorted, a row inserted
    wanted = {2: "C1", 3: "C2", 4: "C1"}
    found, skipped, _ = relocate(read, [r[0] for r in now], [r[1] for r in now], COLS, wanted)
    assert found == {2: 6, 3: 5}  # Beta is twice under C1: which one moved where is unknown
    assert skipped == {4: "ID C1: on several rows that moved; cannot tell which is which"}
