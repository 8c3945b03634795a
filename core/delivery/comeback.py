"""Someone who blocked the bot and comes back (issue 12, "unreachable recipients").

While a person's account is marked unreachable (the platform said they blocked the bot),
their notices are SKIPPED with one of :data:`UNREACHABLE_REASONS`. When they write again,
``core.services.members.note_contact`` puts exactly those rows back to PENDING, once; the
delivery engine then checks each against the state now (``core.delivery.relevance``), so
only the ones still relevant are sent (a reminder for a session already over is skipped
for that reason instead, and so is never put back again).
"""

from __future__ import annotations

RECIPIENT_UNREACHABLE = "recipient unreachable"  # the send itself was refused (403)
NO_REACHABLE_CHAT = "no reachable chat for the recipient"  # known blocked when planned

UNREACHABLE_REASONS = (RECIPIENT_UNREACHABLE, NO_REACHABLE_CHAT)
