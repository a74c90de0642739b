"""Real image files for the replica, made with Pillow, the same bytes for the same name."""

from __future__ import annotations

import io
import re
from functools import lru_cache

from PIL import Image, ImageDraw

from tests.site.model import stable_hash

SIZE_RE = re.compile(r"-(\d{2,4})x(\d{2,4})\.\w+$")


@lru_cache(maxsize=512)
def make_image(name: str, huge: bool = False) -> bytes:
    """A JPEG (or PNG for .png names) with the size its name announces (800x450 by default)."""
    m = SIZE_RE.search(name)
    width, height = (int(m[1]), int(m[2])) if m else (1200, 675)
    if huge:
        width, height = 6000, 4000
    h = stable_hash(name)
    colour = (h % 256, (h >> 8) % 256, (h >> 16) % 256)
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(1, width // 16)):
        draw.line(
            [(i, 0), (width - i, height)], fill=((h >> 24) % 256, 255 - colour[1], 90), width=3
        )
    buf = io.BytesIO()
    if name.lower().endswith(".png"):
        image.save(buf, "PNG")
    else:
        image.save(buf, "JPEG", quality=80 if not huge else 95)
    return buf.getvalue()


def truncated_image(name: str) -> bytes:
    data = make_image(name)
    return data[: len(data) // 3]
