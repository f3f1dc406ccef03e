"""Read CSV files as Excel and other programs save them.

Encodings: UTF-8 with or without a byte order mark, UTF-16 with a byte order
mark ("Unicode text" in Excel), and Windows-1252 (Excel's "CSV" on Western
Windows). Delimiters: comma, semicolon (Excel where the decimal mark is a comma),
tab and '|', found by csv.Sniffer with a count of the header line as fallback.
Line ends CRLF, LF or CR; quoted cells may span lines; Excel's "sep=;" first
line is honoured.
"""

import codecs
import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.imports.columns import Kind
from portfolio.imports.grid import table_from_grid
from portfolio.imports.tables import Notice, ParsedFiles, RowBudget

DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": gettext_lazy("comma"), ";": gettext_lazy("semicolon"), "\t": gettext_lazy("tab"),
                   "|": gettext_lazy("vertical bar")}
SNIFF_BYTES = 64 * 1024
# csv refuses a field longer than this (131,072 characters by default); a description may be long.
FIELD_SIZE_LIMIT = 1024 * 1024


class UnreadableText(Exception):
    """The bytes are not text in any encoding the reader accepts."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the text of `data` and the name of the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8", "UTF-8 with BOM"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", "UTF-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if _looks_like_utf16_le(data):
        return _decode(data, "utf-16-le", "UTF-16"), "UTF-16 (little-endian, no BOM)"
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Five bytes are undefined in Windows-1252; Latin-1 maps every byte.
        return data.decode("latin-1"), "ISO-8859-1"


def _decode(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableText(
            _("The file starts like %(encoding)s text, but byte %(position)s is not valid %(encoding)s; "
              "save it again as “CSV UTF-8”.") % {"encoding": label, "position": error.start}
        ) from error


def _looks_like_utf16_le(data: bytes) -> bool:
    # ASCII text in UTF-16-LE has a zero byte after nearly every character.
    sample = data[:400]
    odd = sample[1::2]
    return len(odd) >= 4 and odd.count(0) >= 0.8 * len(odd) and sample[0::2].count(0) < 0.2 * len(odd)


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of `text`: the Sniffer's choice when the header line has it, else a count."""
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter and delimiter in first_line:
        return delimiter
    counts = {candidate: first_line.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(name: str, data: bytes, *, factors: dict[str, str], budget: RowBudget,
             parsed: ParsedFiles, kind: Kind | None = None) -> None:
    """Read one CSV file into `parsed` as one table, whose kind its headers tell."""
    try:
        text, encoding = decode_text(data)
    except UnreadableText as error:
        parsed.errors.append(Notice(name, str(error)))
        return
    text, delimiter = _separator_line(text)
    delimiter = delimiter or sniff_delimiter(text)
    parsed.notes.append(Notice(name, _("Read as %(encoding)s text with %(delimiter)s as delimiter.")
                               % {"encoding": encoding, "delimiter": DELIMITER_NAMES[delimiter]}))

    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = table_from_grid(name, enumerate(reader, start=1), kind=kind, factors=factors,
                                budget=budget, parsed=parsed)
    except csv.Error as error:
        parsed.errors.append(Notice(name, _("The file is not valid CSV near row %(row)s: %(error)s.")
                                    % {"row": reader.line_num, "error": error}))
        return
    if table is not None:
        parsed.tables.append(table)


def _separator_line(text: str) -> tuple[str, str | None]:
    """Remove Excel's "sep=X" first line and return the rest with its delimiter.

    Excel hides that line, so the header after it is row 1 there and here.
    """
    first_line, _newline, rest = text.partition("\n")
    line = first_line.rstrip("\r").strip('"')
    if line.lower().startswith("sep=") and len(line) == 5 and line[4] in DELIMITERS:
        return rest, line[4]
    return text, None
