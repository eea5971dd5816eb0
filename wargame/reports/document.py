"""Self-contained HTML documents: the batch report and the classroom debrief.

Plots are embedded as PNG data and styles are inline, so a document can be mailed and opened
offline; nothing in it is fetched.
"""

from __future__ import annotations

import base64
import html
import io
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from wargame.core import DISCLAIMER
from wargame.core.options import UsageError, check_writable

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 980px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.8em; text-align: left;
         vertical-align: top; }
table.facts th { color: #555; font-weight: 600; white-space: nowrap; }
code { font-size: 0.9em; word-break: break-all; }
.caveat { background: #fff6e0; border-left: 4px solid #e0a100; padding: 0.7em 1em; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; }
figcaption, .note, .ci { color: #555; font-size: 0.9em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em;
          vertical-align: baseline; }
"""


def e(text: Any) -> str:
    """Text made safe for HTML."""
    return html.escape(str(text), quote=True)


def plain_text() -> AbstractContextManager[None]:
    """Charts drawn in this block show every label as plain text: a '$' in a swept value or a
    name is a dollar sign, never the start of mathematics (which may not even parse)."""
    return matplotlib.rc_context({"text.parse_math": False})


def png(fig: Figure) -> bytes:
    """A matplotlib figure as PNG bytes, the same bytes for the same figure (no time stamp)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def image(data: bytes, caption: str) -> str:
    """An embedded PNG with its caption."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"<figure><img alt='{e(caption)}' src='data:image/png;base64,{encoded}'>"
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


HEAD = "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>"


def page(title: str, body: str) -> str:
    """The whole document, with the caveat every result carries."""
    return (
        f"{HEAD}{e(title)}</title><style>{CSS}</style></head><body>\n{body}\n"
        f"<p class='caveat'>{e(DISCLAIMER)}</p>\n</body></html>\n"
    )


def output(text: str | None, default: Path, kind: str) -> Path:
    """The file a document is written to: ``default``, or the ``--out`` file given in
    ``text``, named .html. It may replace only a document of the same kind (one whose title
    starts with ``kind``), never a file another command made, and its folder must take a file."""
    out = default if text is None else Path(text)
    where = str(out) if text is None else f"--out {out}"
    if out.is_dir():
        raise UsageError(f"{where}: is a folder; give the HTML file to write")
    if out.suffix.lower() != ".html":
        raise UsageError(f"{where}: give a file name ending in .html (the document is HTML)")
    if out.exists() and not _starts(out, f"{HEAD}{e(kind)}"):
        raise UsageError(f"{where}: exists and is not a {kind.lower()} document; choose another")
    check_writable(out.parent, where)
    return out


def _starts(path: Path, prefix: str) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(prefix.encode())) == prefix.encode()
    except OSError:
        return False
