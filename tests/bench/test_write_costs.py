"""bench.write_costs prices every index of `cases`, the text-search triggers and a commit (SQLite only: the
structures it drops in turn are SQLite's). Run small here; the figures themselves are the benchmark's."""

import re

import pytest

from bench import write_costs
from casework.cases.models import Case


def test_every_index_of_cases_and_the_text_search_triggers_get_a_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert write_costs.main(["--cases", "60", "--writes", "20", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    rows = {line.split(" | ")[0].lstrip("| ") for line in printed.splitlines() if re.match(r"\| \S", line)}
    declared = {index.name for index in Case.__table__.indexes}
    assert declared and declared <= rows
    assert {"nothing", write_costs.TRIGGERS} <= rows
    assert re.search(r"a commit costs -?\d+\.\d µs", printed)


def test_a_dropped_structure_is_gone_from_the_copy_measured(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    seeded = write_costs.build(tmp_path, 30)
    indexes, triggers = write_costs.structures(seeded)
    assert "ix_cases_ws_title" in indexes and triggers
    write_costs.measure(seeded, 5, ['DROP INDEX "ix_cases_ws_title"', *(f'DROP TRIGGER "{t}"' for t in triggers)])
    remaining_indexes, remaining_triggers = write_costs.structures(seeded)
    assert "ix_cases_ws_title" not in remaining_indexes and not remaining_triggers
