"""One JSON value a line (JSON lines / NDJSON), safe for any reader's idea of a line break.

JSON may hold U+2028, U+2029 and U+0085 unescaped, and non-ASCII text is written as it is
(``ensure_ascii=False``: names in every script stay readable and small). But those three are
line breaks to Python's ``str.splitlines``, to JavaScript before ES2019 and to many log
shippers, so a listed name carrying one (pasted from a PDF, or put there on purpose) would split
one record into two broken lines for such a reader. They are written as JSON escapes instead,
which every JSON reader turns back into the same characters.
"""

from __future__ import annotations

import json
from typing import Any

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def escape_line_breaks(encoded: str) -> str:
    """``encoded`` JSON text with the line breaks JSON leaves raw written as escapes."""
    return encoded.translate(_LINE_BREAKS)


def json_line(value: Any, **dumps: Any) -> str:
    """``value`` as one line of JSON lines, newline included."""
    return escape_line_breaks(json.dumps(value, ensure_ascii=False, **dumps)) + "\n"
