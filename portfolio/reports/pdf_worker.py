"""Render one HTML document to PDF with WeasyPrint, in a process of its own.

Usage: python -m portfolio.reports.pdf_worker [--no-page-numbers] STYLESHEET INPUT OUTPUT

INPUT is an HTML file. With --no-page-numbers, the bottom-right page box stays
empty: the caller numbers the pages of several documents once they are merged.
It imports neither Django nor the project's models, so it starts fast, and the
memory WeasyPrint uses for layout is returned to the system when it exits.
The document may load no resource: every URL it names is rejected.
"""

import sys

NO_PAGE_NUMBERS = "@page { @bottom-right { content: none } }"


def _reject_url(url, *args, **kwargs):
    raise ValueError(f"The report may not load {url!r}; it must be self-contained.")


def main(argv: list[str]) -> int:
    arguments = argv[1:]
    numbered = "--no-page-numbers" not in arguments
    arguments = [argument for argument in arguments if argument != "--no-page-numbers"]
    if len(arguments) != 3:
        sys.stderr.write(__doc__)
        return 2
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    stylesheet_path, input_path, output_path = arguments
    fonts = FontConfiguration()
    stylesheets = [CSS(filename=stylesheet_path, font_config=fonts)]
    if not numbered:
        stylesheets.append(CSS(string=NO_PAGE_NUMBERS, font_config=fonts))
    with open(input_path, encoding="utf-8") as source:
        html = HTML(string=source.read(), url_fetcher=_reject_url)
    html.write_pdf(output_path, stylesheets=stylesheets, font_config=fonts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
