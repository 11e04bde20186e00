"""The course map: fourteen chapters, prerequisites pointing backwards, a layout for drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_utils.course_map import CHAPTERS, Chapter, all_prerequisites, chapter, layout_chapters

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def test_fourteen_chapters_numbered_0_to_13_in_order():
    assert [ch.number for ch in CHAPTERS] == list(range(14))
    assert CHAPTERS[0].slug == "welcome" and CHAPTERS[0].prerequisites == ()


def test_notebook_names_are_unique_and_well_formed():
    names = [ch.notebook for ch in CHAPTERS]
    assert len(set(names)) == len(names)
    for ch in CHAPTERS:
        assert ch.notebook.startswith(f"{ch.number:02d}_") and ch.notebook.endswith(".ipynb")
        assert ch.learner_minutes > 0 and ch.title and ch.builds


def test_prerequisites_exist_and_point_backwards():
    for ch in CHAPTERS:
        for p in ch.prerequisites:
            assert 0 <= p < ch.number, f"chapter {ch.number} assumes {p}"


def test_every_chapter_after_the_first_rests_on_the_welcome_chapter():
    for ch in CHAPTERS[1:]:
        assert ch.prerequisites, f"chapter {ch.number} lists no prerequisite"
        assert 0 in all_prerequisites(ch.number)


def test_every_notebook_that_exists_is_in_the_map():
    in_map = {ch.notebook for ch in CHAPTERS}
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert path.name in in_map, f"{path.name} is not in course_utils/course_map.py"


def test_all_prerequisites_is_closed_and_sorted():
    assert all_prerequisites(0) == []
    for ch in CHAPTERS:
        before = all_prerequisites(ch.number)
        assert before == sorted(set(before))
        assert set(ch.prerequisites) <= set(before)
        for p in before:
            assert set(all_prerequisites(p)) <= set(before)


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(KeyError, match="chapters run from 0 to 13"):
        chapter(14)
    with pytest.raises(KeyError):
        all_prerequisites(-1)


# --- layout -----------------------------------------------------------------------------------


def test_layout_places_every_chapter_once():
    positions = layout_chapters()
    assert set(positions) == {ch.number for ch in CHAPTERS}
    assert len(set(positions.values())) == len(positions), "two chapters drawn on one spot"
    assert positions[0][0] == 0.0


def test_every_arrow_points_to_the_right():
    positions = layout_chapters()
    for ch in CHAPTERS:
        for p in ch.prerequisites:
            assert positions[p][0] < positions[ch.number][0]


def test_a_chapter_sits_one_column_after_its_latest_prerequisite():
    positions = layout_chapters()
    for ch in CHAPTERS[1:]:
        assert positions[ch.number][0] == 1 + max(positions[p][0] for p in ch.prerequisites)


def _ch(number, prereqs):
    return Chapter(number, f"c{number}", f"Chapter {number}", "something", prereqs, 10)


def test_layout_of_a_small_diamond():
    chapters = (_ch(0, ()), _ch(1, (0,)), _ch(2, (0,)), _ch(3, (1, 2)))
    assert layout_chapters(chapters) == {0: (0.0, 0.0), 1: (1.0, 0.5), 2: (1.0, -0.5),
                                         3: (2.0, 0.0)}


def test_chains_stay_in_their_lane():
    chapters = (_ch(0, ()), _ch(1, (0,)), _ch(2, (0,)), _ch(3, (2,)), _ch(4, (1,)))
    positions = layout_chapters(chapters)
    assert positions[3][1] == positions[2][1] and positions[4][1] == positions[1][1]


@pytest.mark.parametrize("chapters, fragment", [
    ((_ch(0, ()), _ch(1, (2,)), _ch(2, (0,))), "only assume earlier chapters"),
    ((_ch(0, ()), _ch(1, (1,))), "only assume earlier chapters"),
    ((_ch(0, ()), _ch(1, (7,))), "not in the map"),
    ((_ch(0, ()), _ch(0, ())), "unique"),
])
def test_layout_rejects_a_broken_map(chapters, fragment):
    with pytest.raises(ValueError, match=fragment):
        layout_chapters(chapters)


def test_layout_of_an_empty_map():
    assert layout_chapters(()) == {}
