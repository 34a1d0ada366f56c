"""Parse untrusted XML with defusedxml, so that entity declarations (billion laughs,
external entities) and DTDs are rejected with an error that names the file."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from labelloop.domain.errors import InvalidInput


def parse_xml(data: bytes | str | Path, source_name: str) -> Element:
    """Return the root element of an XML document given as bytes, text or a file path.

    Raises InvalidInput naming ``source_name`` when the file cannot be read, is not
    well-formed (with its line and column) or declares entities or a DTD.
    """
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as error:
            raise InvalidInput(f"{source_name}: cannot read the file ({error.strerror})") from error
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise InvalidInput(
            f"{source_name}: the XML declares a DTD or entities ({type(error).__name__}), "
            "which could expand without limit or read other files; remove the <!DOCTYPE> "
            "block and export the file again"
        ) from error
    except ParseError as error:
        line, column = error.position
        raise InvalidInput(
            f"{source_name}: invalid XML at line {line}, column {column + 1}: "
            f"{_reason(error)}; fix the file or export it again"
        ) from error


def _reason(error: ParseError) -> str:
    """Return the expat message of ``error`` without its position suffix."""
    return str(error).split(": line ", 1)[0]
