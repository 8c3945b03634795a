"""Usage limits: the fourth interview-prep request is refused as soon as its type is chosen,
cancelling one refunds it."""

from __future__ import annotations

from tests.e2e.helpers import (
    BEHAVIORAL_PREP,
    CAREER_GUIDANCE,
    DOMAIN_COACHING,
    MOCK_INTERVIEW,
    Chat,
    Form,
)


def test_limit_reached_then_refunded_by_a_cancellation(chat: Chat) -> None:
    chat.send("/as alice")
    for number, kind in enumerate((MOCK_INTERVIEW, DOMAIN_COACHING, BEHAVIORAL_PREP), 1):
        reply = chat.submit(Form(kind=kind, title=f"Interview practice {number}"))
        assert reply.startswith(f"Request #{number} submitted.")
    limits = chat.send("/limits")
    assert "Interview prep: 3 of 3 used, 0 left" in limits
    assert "Active requests at once: 3 of 5 used, 2 left" in limits

    # Refused as soon as the type is chosen, not after a dozen answers; the type is
    # asked again, and a type of another group goes on.
    chat.send("/request")
    refused = chat.send(MOCK_INTERVIEW)
    assert refused.startswith(
        "You have reached the Interview prep limit (3 of 3 used). Cancelled and expired "
        "requests do not count, nor sessions your mentor missed. See /limits for what is left."
        "\nWhat kind of session do you need? (a number)"
    ), refused
    assert chat.send(CAREER_GUIDANCE).startswith("What do you need help with?")
    chat.send("/cancel")
    assert chat.submit(Form(kind=CAREER_GUIDANCE)).startswith("Request #4 submitted.")

    reply = chat.send("/cancel_request 2 found another way")
    assert reply.startswith("Request #2 cancelled.")
    assert "Interview prep: 2 of 3 used, 1 left" in chat.send("/limits")
    reply = chat.submit(Form(kind=MOCK_INTERVIEW, title="Interview practice 4"))
    assert reply.startswith("Request #5 submitted.")
    mine = chat.send("/my")
    assert "#2 cancelled: Interview practice 2" in mine
    assert "#5 open: Interview practice 4" in mine
    assert "Interview prep: 3 of 3 used, 0 left" in chat.send("/limits")
