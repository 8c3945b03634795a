"""Persistence adapters: SQLAlchemy rows, engine set-up and migrations helpers.

Nothing outside ``db/`` should import SQLAlchemy models; repositories translate rows to
and from the domain objects in ``core/``.
"""
