"""PDF basics for the document jobs: opening a PDF with a user-worded reason when it cannot be
used, merging parts (one bookmark per part, page labels kept), thumbnails, page texts, and
writing results atomically so that a failure or a stop never leaves a partial file."""
from __future__ import annotations

import gc
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bgjobs.jobs import horse_heap

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

StrPath = str | os.PathLike[str]
Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


class DocumentError(Exception):
    """A document cannot be used; the message is worded for the user and shown as is."""


class Stopped(Exception):
    """should_stop() answered True: the work was abandoned and no output was written."""


def check_stop(should_stop: ShouldStop | None) -> None:
    """Raise Stopped if the caller asked to stop."""
    if should_stop is not None and should_stop():
        raise Stopped()


def open_pdf(path: StrPath, name: str | None = None) -> PdfReader:
    """A reader for `path`, or DocumentError saying why it cannot be used (named `name` if given):
    missing, damaged, password-protected or without pages."""
    from pypdf import PdfReader
    subject = f"“{name}”" if name else "The file"
    try:
        reader = PdfReader(path, strict=False)
    except FileNotFoundError:
        raise DocumentError(f"{subject} was not found") from None
    except Exception as exc:  # pypdf raises many types for broken files
        raise DocumentError(f"{subject} is not a readable PDF (it may be damaged)") from exc
    if reader.is_encrypted:
        # PDFs restricted by an owner password only still open with an empty user password.
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # e.g. AES without a crypto library: as unusable as a password
            opened = False
        if not opened:
            raise DocumentError(f"{subject} is password-protected; remove the password and try again")
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise DocumentError(f"{subject} is not a readable PDF (its pages are damaged)") from exc
    if count == 0:
        raise DocumentError(f"{subject} has no pages")
    return reader


def check_pdf(path: StrPath) -> int:
    """The page count of a usable PDF; DocumentError if it is damaged, encrypted or empty."""
    return len(open_pdf(path).pages)


@contextmanager
def atomic_file(dst: StrPath, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write that becomes `dst` only when the block ends without an error.
    durable=False skips the fsync, for a caller that writes many files and syncs them once."""
    dst = Path(dst)
    tmp = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, dst)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save(writer: PdfWriter, dst: StrPath, *, durable: bool = True) -> None:
    """Write `writer` to `dst` atomically (temp file beside it, then os.replace)."""
    with atomic_file(dst, durable=durable) as fh:
        writer.write(fh)


@contextmanager
def collections_paused() -> Iterator[None]:
    """The cyclic garbage collector is off inside the block (or the decorated function). A merge
    keeps every part it read alive to the end (pypdf's merged pages refer to their sources), so a
    collection finds almost nothing, yet each full one walks the whole, growing heap: about 5% of
    a 1,000-file merge."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@collections_paused()
def merge(
    parts: Sequence[tuple[StrPath, str]],
    dst: StrPath,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> int:
    """Append the (path, title) parts in order into `dst` and return its page count. Each part
    gets one bookmark titled `title` on its first page and keeps its page labels; should_stop is
    checked between parts (Stopped, nothing written) and progress(done, total) after each."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject
    if not parts:
        raise DocumentError("There is nothing to merge")
    writer = PdfWriter()
    labels: list[tuple[int, DictionaryObject]] = []
    labelled = False
    for done, (path, title) in enumerate(parts, 1):
        check_stop(should_stop)
        reader = open_pdf(path, title)
        first = len(writer.pages)
        try:
            # The parts' own outlines are not imported: the merged outline is one item per part.
            writer.append(reader, import_outline=False)
        except Exception as exc:
            raise DocumentError(f"“{title}” could not be merged (it may be damaged)") from exc
        _add_bookmark(writer, title, first)
        ranges = _label_ranges(reader)
        labelled = labelled or bool(ranges)
        if not ranges or ranges[0][0] != 0:
            # Unlabelled pages show their position in the merged file, as if no part had labels.
            ranges.insert(0, (0, _decimal_label(first + 1)))
        labels += [(first + start, label) for start, label in ranges]
        if progress is not None:
            progress(done, len(parts))
    check_stop(should_stop)
    if labelled:
        nums = ArrayObject()
        for start, label in labels:
            nums += [NumberObject(start), label]
        writer.root_object[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): nums})
    save(writer, dst)
    pages = len(writer.pages)
    horse_heap.drop(writer)  # the parts' readers with it: the merged pages refer to them
    return pages


def _add_bookmark(writer: PdfWriter, title: str, page: int) -> None:
    """A top-level outline item `title` that shows page `page` whole. Its destination is written
    in the item itself (/Dest), not in a separate GoTo action as pypdf's add_outline_item does:
    one object per bookmark instead of two, which is 2% of a 1,000-file merge."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
    writer.add_outline_item_dict(DictionaryObject({
        NameObject("/Title"): TextStringObject(title),
        NameObject("/Dest"): ArrayObject([writer.pages[page].indirect_reference, NameObject("/Fit")]),
    }))


def _decimal_label(start: int) -> DictionaryObject:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject
    return DictionaryObject({NameObject("/S"): NameObject("/D"), NameObject("/St"): NumberObject(start)})


def _label_ranges(reader: PdfReader) -> list[tuple[int, DictionaryObject]]:
    """The part's page label ranges as (first page index, label dict) in page order; broken or
    absent labels give []. Only /S, /P and /St are copied, as direct objects for the writer."""
    ranges: list[tuple[int, DictionaryObject]] = []

    def walk(node, depth: int) -> None:
        node = node.get_object()
        if depth > 32:  # a cyclic or absurd number tree
            return
        nums = node.get("/Nums")
        if nums is not None:
            nums = nums.get_object()
            for i in range(0, len(nums) - 1, 2):
                ranges.append((int(nums[i]), _copy_label(nums[i + 1].get_object())))
        for kid in node.get("/Kids", ()) or ():
            walk(kid, depth + 1)

    try:
        tree = reader.root_object.get("/PageLabels")
        if tree is not None:
            walk(tree, 0)
    except Exception:  # labels are a nicety: a malformed tree is ignored, not fatal
        return []
    count = len(reader.pages)
    return sorted((r for r in ranges if 0 <= r[0] < count), key=lambda r: r[0])


def _copy_label(label: DictionaryObject) -> DictionaryObject:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject
    copy = DictionaryObject()
    if "/S" in label:
        copy[NameObject("/S")] = NameObject(str(label["/S"].get_object()))
    if "/P" in label:
        copy[NameObject("/P")] = label["/P"].get_object()
    if "/St" in label:
        copy[NameObject("/St")] = NumberObject(int(label["/St"].get_object()))
    return copy


def thumbnail(src: StrPath, dst_png: StrPath, page: int = 0, max_px: int = 300) -> tuple[int, int]:
    """Render page `page` of `src` as a PNG at most `max_px` on its longer side; returns its size."""
    import pypdfium2 as pdfium  # imported here: only thumbnails need the native PDFium library

    try:
        doc = pdfium.PdfDocument(str(src))
    except (pdfium.PdfiumError, OSError) as exc:
        raise DocumentError("The PDF could not be read to make a thumbnail") from exc
    try:
        if not 0 <= page < len(doc):
            raise DocumentError(f"The PDF has no page {page + 1}")
        pdf_page = doc[page]
        try:
            width, height = pdf_page.get_size()
            image = pdf_page.render(scale=max_px / max(width, height, 1)).to_pil()
        finally:
            pdf_page.close()
        image.thumbnail((max_px, max_px))  # rendering rounds up: never exceed max_px
        with atomic_file(dst_png) as fh:
            image.save(fh, "PNG")
        return image.size
    finally:
        doc.close()


def page_texts(path: StrPath) -> list[str]:
    """The extracted text of each page (pypdf's extract_text)."""
    from pypdf import PdfReader
    return [page.extract_text() or "" for page in PdfReader(path).pages]
