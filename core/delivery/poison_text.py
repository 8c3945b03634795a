"""The admins' notice about notifications that could not be prepared (see ``poison``).

Kept out of ``texts.py`` so the delivery-isolation work does not crowd the shared texts.
The notice names ids, kinds and error classes only: never a person's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.delivery.messages import Message

if TYPE_CHECKING:
    from core.delivery.texts import Facts

SHOWN = 5  # rows listed one by one; the rest are counted


def broken_notice(f: Facts) -> Message:
    p = f.notification.payload
    listed = p.get("rows")
    rows: list[object] = listed if isinstance(listed, list) else []
    count = int(p.get("count") or len(rows))
    lines = [
        f"{count} message{'s' if count != 1 else ''} could not be prepared and "
        f"{'were' if count != 1 else 'was'} given up after {p.get('attempts')} attempts. "
        "Everything else is being delivered. The log has a warning for each; "
        "the stored data of these rows needs a look:"
    ]
    for row in rows[:SHOWN]:
        if isinstance(row, dict):
            lines.append(f"• #{row.get('id')} {row.get('kind')}: {row.get('error')}")
    if count > SHOWN:
        lines.append(f"… and {count - SHOWN} more.")
    return Message("\n".join(lines))
