"""The README's chapter table is generated from the course map and the measured run times."""

from __future__ import annotations

import re
from pathlib import Path

from course_utils.course_map import chapter_table

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_chapter_table_is_up_to_date() -> None:
    match = re.search(r"<!-- chapter-table:start -->\n(.*?)\n<!-- chapter-table:end -->",
                      README, re.S)
    assert match, "README needs the chapter-table markers"
    assert match.group(1) == chapter_table(), "run `make chapter-table` to refresh the README"


def test_readme_starts_with_the_two_commands() -> None:
    start = README.index("## Start")
    assert README.index("make lab") > start and README.index("make test") > start
    assert README.index("make lab") < README.index("## Chapters")


def test_contributing_module_table_is_up_to_date() -> None:
    from course_utils.course_map import module_table

    text = (Path(__file__).parents[2] / "CONTRIBUTING.md").read_text()
    match = re.search(r"<!-- module-table:start -->\n(.*?)\n<!-- module-table:end -->", text, re.S)
    assert match, "CONTRIBUTING.md needs the module-table markers"
    assert match.group(1) == module_table(), "run `make chapter-table` to refresh CONTRIBUTING.md"
