"""Print templates: field checks, text fitting and rendering (bgjobs.jobtypes.documents.fields)."""
from __future__ import annotations

import dataclasses

import pytest
from PIL import Image
from pypdf import PdfReader

from bgjobs.jobtypes.documents import samples
from bgjobs.jobtypes.documents.fields import Field, check_fields, fit_text, prepare, render
from bgjobs.jobtypes.documents.pdf import DocumentError, page_texts

CARD = {"name": "Ada Lovelace", "title": "Analyst", "phone": "+44 20 7946 0000", "email": "ada@example.com"}


@pytest.fixture
def card(tmp_path):
    """A business card background and its fields."""
    (width, height), fields = samples.business_card_template()
    return samples.make_background(tmp_path / "card.pdf", 85, 55, title="Acme Print"), fields, (width, height)


def test_rendered_output_contains_the_values(tmp_path, card):
    background, fields, _ = card
    assert render(prepare(background, fields), CARD, tmp_path / "out.pdf") == []
    text = page_texts(tmp_path / "out.pdf")[0]
    assert all(value in text for value in CARD.values())
    assert "Acme Print" in text  # the background is still there


def test_fonts_are_embedded(tmp_path, card):
    background, fields, _ = card
    render(prepare(background, fields), CARD, tmp_path / "out.pdf")
    fonts = PdfReader(tmp_path / "out.pdf").pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/FontDescriptor"].get_object() for font in fonts.values()]
    assert descriptors and all("/FontFile2" in d for d in descriptors)
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert any("BitstreamVeraSans-Bold" in name for name in names)


def test_a_long_text_shrinks_to_fit():
    field = Field(name="title", width=150, height=30, size=14, min_size=6, max_lines=2)
    text = "Senior Vice President of Strategic Partnerships"
    fit = fit_text(text, field)
    assert fit.fits and 6 <= fit.size < 14
    assert len(fit.lines) <= 2 and " ".join(fit.lines) == text


def test_a_short_text_keeps_its_size():
    fit = fit_text("Analyst", Field(name="title", width=150, height=30, size=14))
    assert fit == fit.__class__(("Analyst",), 14, True)


def test_an_impossible_text_gives_a_warning(tmp_path, card):
    background, fields, _ = card
    values = {**CARD, "title": "A very long job title " * 20}
    warnings = render(prepare(background, fields), values, tmp_path / "out.pdf")
    assert warnings == ["Field 'title': text does not fit its box"]
    title = next(f for f in fields if f.name == "title")
    fit = fit_text(values["title"], title)
    assert not fit.fits and fit.size == title.min_size and 1 <= len(fit.lines) <= title.max_lines
    assert fit.lines[0] in page_texts(tmp_path / "out.pdf")[0]  # what fits is drawn


def test_a_field_on_the_second_page(tmp_path):
    background = samples.make_background(tmp_path / "bg.pdf", 148, 210, pages=2)
    field = Field(name="back", page=1, x=50, y=50, width=200, height=20, size=12)
    render(prepare(background, [field]), {"back": "Back side text"}, tmp_path / "out.pdf")
    texts = page_texts(tmp_path / "out.pdf")
    assert "Back side text" not in texts[0] and "Back side text" in texts[1]


def test_check_fields_finds_each_problem():
    pages = [(240.0, 156.0)]
    good = Field(name="name", x=10, y=10, width=100, height=20)
    assert check_fields([good], pages) == []
    cases = {
        "outside its page": dataclasses.replace(good, x=200),
        "beyond the background": dataclasses.replace(good, page=1),
        "colour": dataclasses.replace(good, colour="red"),
        "unknown font": dataclasses.replace(good, font="Comic"),
        "must be positive": dataclasses.replace(good, width=0),
    }
    for problem, field in cases.items():
        errors = check_fields([field], pages)
        assert len(errors) == 1 and problem in errors[0] and "'name'" in errors[0], (problem, errors)
    assert check_fields([good, good], pages) == ["Field 'name' is defined more than once"]


def test_render_refuses_an_invalid_template(tmp_path, card):
    background, fields, (width, _) = card
    outside = dataclasses.replace(fields[0], x=width - 10)
    with pytest.raises(DocumentError, match="outside its page"):
        render(prepare(background, [outside]), CARD, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_a_required_field_needs_a_value(tmp_path, card):
    background, fields, _ = card
    with pytest.raises(DocumentError, match="'name'"):
        render(prepare(background, fields), {**CARD, "name": "  "}, tmp_path / "out.pdf")


def test_images_fit_their_box_and_a_missing_one_is_a_warning(tmp_path, card):
    background, fields, _ = card
    logo = Field(name="logo", kind="image", x=150, y=60, width=80, height=40)
    Image.new("RGB", (400, 100), "navy").save(tmp_path / "logo.png")
    assert render(prepare(background, [logo]), {}, tmp_path / "out.pdf", images={"logo": tmp_path / "logo.png"}) == []
    images = list(PdfReader(tmp_path / "out.pdf").pages[0].images)
    assert [image.image.size for image in images] == [(400, 100)]
    warnings = render(prepare(background, [logo]), {}, tmp_path / "out2.pdf", images={"logo": tmp_path / "nope.png"})
    assert warnings == ["Field 'logo': the image file was not found"]


def test_field_dict_round_trip():
    field = Field(name="email", page=0, x=1.5, y=2, width=3, height=4, font="VeraIt", size=9, min_size=7,
                  colour="#112233", align="right", max_lines=2, required=True)
    assert Field.from_dict(field.as_dict()) == field
    stored = {"name": "email", "x": "1.5", "y": "2", "width": "3", "height": "4", "required": "false", "extra": 1}
    assert Field.from_dict(stored) == Field(name="email", x=1.5, y=2, width=3, height=4)
    with pytest.raises(DocumentError, match="must be a number"):
        Field.from_dict({"name": "email", "x": "left"})
