"""Join the PDF parts of one report and print "page / pages" at the bottom right of every page.

The parts are rendered separately, so no part can print the page numbers of the
whole report. They are stamped here in Helvetica, one of the PDF standard fonts:
it needs no embedding and contains every character of "12 / 345".
"""

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

FONT_NAME = "/FPageNumber"
FONT_SIZE = 8
# Helvetica advance widths, in thousandths of the font size, of the characters used.
HELVETICA_WIDTHS = {" ": 278, "/": 278, **{digit: 556 for digit in "0123456789"}}
# The page box of report.css: 14 mm right margin, text baseline 9 mm above the bottom edge.
RIGHT_MARGIN_PT = 14 * 72 / 25.4
BASELINE_PT = 9 * 72 / 25.4
GREY = "0.294 0.333 0.380"  # #4b5561, the footer colour of report.css


def _stream(writer: PdfWriter, data: str):
    stream = DecodedStreamObject()
    stream.set_data(data.encode("ascii"))
    return writer._add_object(stream)


def _text_width(text: str) -> float:
    return sum(HELVETICA_WIDTHS[char] for char in text) * FONT_SIZE / 1000


def _stamp(writer: PdfWriter, page, text: str, font_reference, save, restore) -> None:
    resources = page.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts.get_object()[NameObject(FONT_NAME)] = font_reference

    right = float(page.mediabox.right) - RIGHT_MARGIN_PT
    x = right - _text_width(text)
    number = _stream(writer, f"q BT {FONT_NAME} {FONT_SIZE} Tf {GREY} rg {x:.2f} {BASELINE_PT:.2f} Td "
                             f"({text}) Tj ET Q")
    # WeasyPrint leaves its y-flip matrix set at the end of a page, so the old contents run inside q ... Q.
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    old = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([save, *old, restore, number])


def merge_numbered(paths: list[str], output: str) -> int:
    """Write the PDFs at `paths`, in order, to `output` with page numbers; return the page count."""
    writer = PdfWriter()
    for path in paths:
        writer.append(PdfReader(path))
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    font_reference = writer._add_object(font)
    save, restore = _stream(writer, "q"), _stream(writer, "Q")
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        _stamp(writer, page, f"{number} / {total}", font_reference, save, restore)
    with open(output, "wb") as target:
        writer.write(target)
    return total
