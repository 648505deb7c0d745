"""A chart's texts: English, and the Chinese with it when a font can draw it.

A chart is a file (PNG) read by whoever is sent it, so it carries both languages
rather than one reader's: the English always, the Chinese (under a title, after
a legend entry) only when a font with Chinese glyphs is installed — none is
downloaded.  Each text is a :class:`~tideover.i18n.Wording` from the catalogue.
"""

from __future__ import annotations

from tideover.i18n import Wording

# Fonts known to carry Simplified Chinese glyphs, in order of preference.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def title(wording: Wording, *, chinese: bool) -> str:
    """A chart's title or axis label: English, and Chinese beneath it when a font can
    draw it."""
    return f"{wording.en}\n{wording.zh}" if chinese else wording.en


def label(wording: Wording | str, *, chinese: bool) -> str:
    """A legend entry or a short axis label on one line: English, then the Chinese when a
    font can draw it and it differs (a code such as ``30+`` is given as it is)."""
    if isinstance(wording, str):
        return wording
    english, chinese_text = wording.en, wording.zh
    return f"{english} / {chinese_text}" if chinese and chinese_text != english else english
