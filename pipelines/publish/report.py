"""Render the yearly report (HTML) from tidy tables, figure paths and generated text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines.publish.labels import catalogue

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)


def html_table(df: pd.DataFrame, caption: str | None = None, numeric: tuple[str, ...] = ()) -> str:
    """A display table (already-formatted strings) as accessible HTML."""
    esc = lambda s: (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))  # noqa: E731
    head = "".join(f'<th class="{"num" if c in numeric else ""}" scope="col">{esc(c)}</th>' for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if c in numeric else ""}">{esc(v)}</td>'
                         for c, v in zip(df.columns, row)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(lang: str, **context) -> str:
    """Fill ``templates/report.html.j2``; ``context`` supplies the sections."""
    return _ENV.get_template("report.html.j2").render(lang=lang, L=catalogue()[lang], **context)
