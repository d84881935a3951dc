"""The dashboard's figures as written on the page, in French and in English (web.staff.numbers)."""

from __future__ import annotations

from consent_gateway.web.staff.numbers import Numbers


def test_figures_read_as_each_language_writes_them(app):
    fr, en = Numbers("fr"), Numbers("en")
    assert (fr.num(1234567), en.num(1234567)) == ("1 234 567", "1,234,567")
    assert (fr.pct(0.4567), en.pct(0.4567), fr.pct(None)) == ("45,7 %", "45.7 %", "—")
    assert (fr.ms(-1250), en.ms(2500), en.ms(None)) == ("−1,2 s", "2.5 s", "—")
    assert (fr.pts(-0.0134), en.pts(0.2)) == ("−1,3 pt", "+20.0 pt")
    assert (en.pts(0.0), en.pts(None)) == ("±0.0 pt", "—")


def test_a_hidden_count_says_why_in_the_page_language(app):
    with app.test_request_context("/dashboard?lang=en"):
        hidden = Numbers("en").num(None)
    assert hidden == '<abbr title="hidden: the figure would single out fewer than 5 decisions">—</abbr>'
    with app.test_request_context("/dashboard?lang=fr"):
        assert "<abbr title=" in Numbers("fr").num(None) and "fewer" not in Numbers("fr").num(None)
