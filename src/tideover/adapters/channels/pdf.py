"""Letters as PDF (WeasyPrint), with Noto CJK for Chinese.

The letter's text is laid out as paragraphs on A4 with the platform's name
and the date at the top; every character of it is escaped, so nothing in a
message can become markup.  Chinese needs a CJK font: Debian's
``fonts-noto-cjk`` (``tools/setup_system.sh``); without it, or without Pango,
rendering is refused with a clear error (``letter_unavailable``) and the
message stays failed with that reason rather than printing empty boxes.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from tideover.domain.errors import TideoverError
from tideover.i18n import N_

CJK_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)

_CSS = """
@page { size: A4; margin: 25mm 20mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; font-size: 11pt;
       line-height: 1.6; color: #111; }
header { border-bottom: 1px solid #999; margin-bottom: 10mm; padding-bottom: 3mm; }
header .from { font-size: 13pt; font-weight: bold; }
h1 { font-size: 14pt; margin: 0 0 6mm 0; }
p { margin: 0 0 3mm 0; white-space: pre-wrap; }
"""


class LetterUnavailable(TideoverError):
    code = "letter_unavailable"
    http_status = 503


def cjk_font_installed() -> bool:
    return any(p.exists() for p in CJK_FONT_FILES)


@lru_cache(maxsize=1)
def _weasyprint() -> object:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        raise LetterUnavailable(
            N_("letters cannot be rendered here: WeasyPrint or Pango is missing (%(name)s)"),
            name=type(exc).__name__,
        ) from None
    return weasyprint


def letter_html(*, sender: str, date_line: str, subject: str, body: str, language: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(block.strip())}</p>" for block in body.split("\n\n") if block.strip()
    )
    lang = "zh-Hans" if language.startswith("zh") else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{_CSS}</style>'
        f'</head><body><header><div class="from">{html.escape(sender)}</div>'
        f"<div>{html.escape(date_line)}</div></header><h1>{html.escape(subject)}</h1>"
        f"{paragraphs}</body></html>"
    )


def render_letter(*, sender: str, date_line: str, subject: str, body: str, language: str) -> bytes:
    """The letter as PDF bytes; ``LetterUnavailable`` when it cannot be rendered faithfully."""
    if language.startswith("zh") and not cjk_font_installed():
        raise LetterUnavailable(
            N_("a Chinese letter needs the Noto CJK fonts (Debian package `fonts-noto-cjk`)"),
        )
    weasyprint = _weasyprint()
    document = letter_html(
        sender=sender, date_line=date_line, subject=subject, body=body, language=language
    )
    pdf: bytes = weasyprint.HTML(string=document).write_pdf()  # type: ignore[attr-defined]
    return pdf
