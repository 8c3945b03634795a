"""The mentorship product itself: entities, rules and use cases.

Nothing here imports a chat platform or a database library; the world is reached
through the ports in :mod:`core.ports`, so every rule is testable with fakes and
shared by every front-end.
"""
