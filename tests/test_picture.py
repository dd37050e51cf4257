"""The ladder picture's geometry: a rung's marks never sit on its title."""

from __future__ import annotations

from ladder.picture import BAR, ladder_picture

RUNGS = [
    {"slug": "mid", "title": "ML Engineer (mid-level)", "order": 1},
    {"slug": "lead", "title": "Lead / Staff ML Engineer", "order": 2},
]


def test_a_marked_rung_puts_its_marks_on_a_line_below_its_title():
    picture = ladder_picture(RUNGS, placed="lead", claimed="lead", next_rung=None)
    lead, mid = picture.rungs

    assert lead.label == "you · your title"
    # Title (13 px) and marks (10 px) on their own lines inside the bar.
    assert lead.label_y - lead.text_y >= 13
    assert lead.y < lead.text_y - 10
    assert lead.label_y <= lead.y + BAR - 3
    assert mid.label == ""
    assert mid.text_y == mid.y + BAR // 2 + 5  # unmarked: centred
