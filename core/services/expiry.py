"""Open requests nobody claimed in time expire, and their quota comes back."""

from __future__ import annotations

from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.notifications import Kind, to_member
from core.ports import record
from core.services.common import card_update, load_request
from core.services.context import ServiceContext


def expire_stale_requests(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """Expire up to ``batch_size`` requests past their time; safe to run from many processes.

    Each move is conditional on the request still being OPEN, so two sweeps racing over
    the same rows expire (and notify) each request once.
    """
    now = ctx.now()
    expired: list[int] = []
    with ctx.uow_factory() as uow:
        for request_id in uow.requests.expired_ids(now, batch_size):
            if not uow.requests.transition(
                request_id, [RequestStatus.OPEN], RequestStatus.EXPIRED, now
            ):
                continue
            request = load_request(uow, request_id)
            record(
                uow,
                EntityKind.REQUEST,
                request_id,
                RequestStatus.OPEN,
                RequestStatus.EXPIRED,
                None,
                now,
                "not claimed in time",
            )
            uow.notifications.cancel_pending(request_id=request_id, kinds=[Kind.EXPIRY_WARNING])
            uow.notifications.add(
                to_member(
                    Kind.REQUEST_EXPIRED,
                    request.student_id,
                    now,
                    f"r{request_id}",
                    request_id=request_id,
                )
            )
            card_update(uow, request_id, now, "expired")
            expired.append(request_id)
        uow.commit()
    return expired
