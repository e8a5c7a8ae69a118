"""OCR accuracy and speed: pages typeset from our own corpus text (corpus/docs/*.txt), read back
by indexer.readers.ocr.read_page_images, clean and degraded as a scan is (a 1-2 degree skew,
Gaussian blur, JPEG quality 40, a red round stamp over the text).

Character accuracy is 1 - edit distance / length, over the page's characters with white space
dropped and both sides NFKC-normalised (full-width digits count as the same digit). Seconds per
page are wall-clock time of the whole reader (decoding, OCR, reading order) in one process, on
all the machine's cores (onnxruntime's threads), the engine loaded beforehand.

Run:  .venv/bin/python bench/ocr.py [--pages 12]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import time
import unicodedata
from pathlib import Path

from common import CORPUS_DOCS
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi, as a common office scan
SIZE = 33  # 三号 (16 pt) at 150 dpi, the 公文 body size
PER_LINE = 28  # characters a 公文 body line holds
LINES_PER_PAGE = 22


def page_texts(count: int) -> list[list[str]]:
    """The first pages of each corpus text file in turn, as typeset lines."""
    from indexer.readers.text import decode_text  # some are GBK, as files from offices are

    pages: list[list[str]] = []
    for path in sorted(CORPUS_DOCS.glob("*.txt")):
        lines: list[str] = []
        for paragraph in decode_text(path.read_bytes()).splitlines():
            paragraph = paragraph.strip()
            if paragraph:
                text = "\u3000\u3000" + paragraph
                lines += [text[i : i + PER_LINE] for i in range(0, len(text), PER_LINE)]
        pages += [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)][:2]
    return pages[:count]


def render(lines: list[str]) -> Image.Image:
    font = ImageFont.truetype(str(FONT), SIZE)
    page = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(page)
    left = (WIDTH - SIZE * PER_LINE) // 2
    for number, line in enumerate(lines):
        draw.text((left, 200 + number * int(SIZE * 1.7)), line, font=font, fill="black")
    return page


def degrade(page: Image.Image, seed: int) -> Image.Image:
    """A red round stamp over the text, a 1-2 degree skew, blur, then JPEG at quality 40."""
    rng = random.Random(seed)
    stamp = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(stamp)
    red = (220, 30, 30, 170)
    x, y, r = rng.randint(450, 850), rng.randint(350, 1250), 130
    draw.ellipse((x - r, y - r, x + r, y + r), outline=red, width=8)
    draw.text((x - 22, y - 24), "★", font=ImageFont.truetype(str(FONT), 44), fill=red)
    small = ImageFont.truetype(str(FONT), 36)
    for i, char in enumerate("青岚区人民政府"):
        angle = math.radians(200 + i * 140 / 6)
        spot = (x + (r - 45) * math.cos(angle) - 18, y + (r - 45) * math.sin(angle) - 18)
        draw.text(spot, char, font=small, fill=red)
    page = Image.alpha_composite(page.convert("RGBA"), stamp).convert("RGB")
    tilt = rng.choice((-1, 1)) * rng.uniform(1, 2)
    page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(1.0))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue()))


def normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        previous = current
    return previous[-1]


def png(page: Image.Image) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=12)
    pages = page_texts(parser.parse_args().pages)

    from indexer.readers.ocr import _load_engine, read_page_images

    start = time.perf_counter()
    _load_engine()
    load = time.perf_counter() - start
    rows = []
    for kind in ("clean", "degraded"):
        errors = length = 0
        seconds = 0.0
        worst = 1.0
        for number, lines in enumerate(pages):
            page = render(lines)
            data = png(degrade(page, number) if kind == "degraded" else page)
            start = time.perf_counter()
            read = read_page_images([data])
            seconds += time.perf_counter() - start
            wanted = normal("".join(lines))
            got = normal("".join(block.text for block in read.blocks))
            distance = edit_distance(got, wanted)
            errors += distance
            length += len(wanted)
            worst = min(worst, 1 - distance / len(wanted))
        rows.append((kind, len(pages), length, 1 - errors / length, worst, seconds / len(pages)))
    print(f"OCR on {os.cpu_count()} cores; engine loaded in {load:.1f} s\n")
    print("| pages | n | characters | accuracy | worst page | s/page |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, count, chars, accuracy, worst, per_page in rows:
        print(f"| {kind} | {count} | {chars} | {accuracy:.2%} | {worst:.2%} | {per_page:.1f} |")


if __name__ == "__main__":
    main()
