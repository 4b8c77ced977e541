"""Reading a rendered PDF back in tests: its text, its tagged structure, its metadata (pypdf).

Shared by every test of a PDF, so what "tagged" means is checked the same way everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


@dataclass(frozen=True)
class Tag:
    role: str  # "H1", "Table", "TH", "Figure"…
    depth: int
    alt: str | None


def reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF"), content[:20]
    return PdfReader(io.BytesIO(content))


def text(content: bytes) -> str:
    """Every page's text, pages joined by a blank line; whitespace runs as one space."""
    pages = [page.extract_text() or "" for page in reader(content).pages]
    return "\n\n".join(" ".join(page.split()) for page in pages)


def structure(content: bytes) -> list[Tag]:
    """The structure tree's elements in reading order (depth-first from StructTreeRoot)."""
    root = reader(content).trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged"
    tags: list[Tag] = []

    def walk(node, depth: int) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        if "/S" in node:
            alt = node.get("/Alt")
            tags.append(Tag(str(node["/S"]).lstrip("/"), depth, None if alt is None else str(alt)))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            walk(kid, depth + 1)

    walk(root["/StructTreeRoot"], 0)
    return tags


def roles(content: bytes) -> list[str]:
    return [tag.role for tag in structure(content)]


def catalog(content: bytes) -> DictionaryObject:
    return reader(content).trailer["/Root"]


def embedded_fonts(content: bytes) -> set[str]:
    """Names of the fonts whose file is inside the PDF (FontFile, FontFile2 or FontFile3)."""
    names: set[str] = set()
    for page in reader(content).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for each in descendants:
                descriptor = each.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descriptor["/FontName"]).split("+")[-1])
    return names
