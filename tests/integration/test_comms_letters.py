"""PDF letters: a Chinese letter shows Chinese glyphs (read back as text, and drawn as ink
on a page image), sent through the worker to the letter spool exactly once.

Skipped with a line saying why where WeasyPrint's Pango or the Noto CJK fonts are missing
(``tools/setup_system.sh`` installs them); ``TIDEOVER_REQUIRE_BROWSER=1`` (CI) makes that
a failure instead, as for the browser tests."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from tests.integration.comms_support import NOON, UowFactory, platform, queue

from tideover.adapters.channels.outbound import LetterSpool
from tideover.adapters.channels.pdf import cjk_font_installed, render_letter
from tideover.domain.clock import FixedClock
from tideover.services.comms.channels import Channels
from tideover.services.comms.outbox import list_outbox
from tideover.services.comms.worker import message_key, run_outbox


def _require_letters() -> None:
    reason = None
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        reason = f"WeasyPrint cannot load ({type(exc).__name__}: Pango missing?)"
    if reason is None and not cjk_font_installed():
        reason = "no Noto CJK fonts (fonts-noto-cjk; tools/setup_system.sh installs them)"
    if reason is not None:
        if os.environ.get("TIDEOVER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PDF letter tests REQUIRED but {reason}")
        pytest.skip(reason)


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _ink(pdf: bytes, box: tuple[float, float, float, float]) -> float:
    """The share of dark pixels in ``box`` (fractions of the page) of page one."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=2).to_pil().convert("L")
    document.close()
    width, height = image.size
    left, top, right, bottom = box
    crop = image.crop(
        (int(left * width), int(top * height), int(right * width), int(bottom * height))
    )
    dark = sum(1 for value in crop.tobytes() if value < 128)
    share: float = dark / (crop.size[0] * crop.size[1])
    return share


def test_a_chinese_letter_has_chinese_glyphs() -> None:
    _require_letters()
    body = "王小明您好：\n\n您的借款已逾期，逾期金额为¥1,234.56。请通过官方App还款。"
    pdf = render_letter(
        sender="示例金融",
        date_line="2026年3月2日",
        subject="逾期还款通知",
        body=body,
        language="zh-CN",
    )
    text = _text(pdf)
    assert "逾期还款通知" in text
    assert "王小明您好" in text
    assert "¥1,234.56" in text
    # The heading, drawn: ink where the title is; a page with empty boxes or nothing
    # would have none or a regular grid, and text extraction would not give it back.
    assert _ink(pdf, (0.05, 0.08, 0.6, 0.2)) > 0.01
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    resources: Any = page["/Resources"]
    fonts = {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts


def test_markup_in_a_letter_is_text() -> None:
    _require_letters()
    pdf = render_letter(
        sender="<b>x</b>",
        date_line="d",
        subject="<script>s</script>",
        body="<img src=x>",
        language="en",
    )
    text = _text(pdf)
    assert "<script>s</script>" in text
    assert "<img src=x>" in text


def test_letters_go_through_the_worker_once(uow_factory: UowFactory, tmp_path: Path) -> None:
    _require_letters()
    platform(uow_factory)
    queue(
        uow_factory,
        "acme",
        [("B0", "letter", "overdue_notice_letter"), ("B1", "letter", "overdue_notice_letter")],
    )
    chans = Channels({"letter": LetterSpool(tmp_path)})
    done = run_outbox(
        uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(NOON)
    )
    again = run_outbox(
        uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(NOON)
    )
    assert done.sent == 2
    assert again.picked == 0
    items = {i.borrower_id: i for i in list_outbox(uow=uow_factory(), platform="acme").items}
    chinese = tmp_path / "letters" / "acme" / f"{message_key('acme', items['B0'].message_id)}.pdf"
    english = tmp_path / "letters" / "acme" / f"{message_key('acme', items['B1'].message_id)}.pdf"
    assert "逾期还款通知" in _text(chinese.read_bytes())
    assert "借款人0您好" in _text(chinese.read_bytes())
    assert "Overdue payment notice" in _text(english.read_bytes())
    assert len(list((tmp_path / "letters" / "acme").glob("*.pdf"))) == 2


def test_a_chinese_letter_without_the_fonts_fails_with_the_reason(
    uow_factory: UowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tideover.adapters.channels.pdf.cjk_font_installed", lambda: False)
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "letter", "overdue_notice_letter")])
    done = run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"letter": LetterSpool(tmp_path)}),
        clock=FixedClock(NOON),
    )
    assert done.failed == 1
    item = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert item.error_code == "letter_unavailable"
    assert "fonts-noto-cjk" in (item.error or "")
    assert not (tmp_path / "letters").exists()  # nothing half-printed
