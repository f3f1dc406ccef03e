"""Render one HTML document to PDF with WeasyPrint, in a process of its own.

Usage: python -m portfolio.reports.pdf_worker STYLESHEET OUTPUT < document.html

It imports neither Django nor the project's models, so it starts fast, and
the memory WeasyPrint uses for layout is returned to the system when it exits.
The document may load no resource: every URL it names is rejected.
"""

import sys


def _reject_url(url, *args, **kwargs):
    raise ValueError(f"The report may not load {url!r}; it must be self-contained.")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    stylesheet_path, output_path = argv[1], argv[2]
    fonts = FontConfiguration()
    html = HTML(string=sys.stdin.buffer.read().decode("utf-8"), url_fetcher=_reject_url)
    stylesheet = CSS(filename=stylesheet_path, font_config=fonts)
    html.write_pdf(output_path, stylesheets=[stylesheet], font_config=fonts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
