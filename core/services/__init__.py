"""One function per use case: open a unit of work, load, check, change, record, commit.

Every function takes the :class:`~core.services.context.ServiceContext` and the acting
member's id, and authorizes the action itself; front-ends are never trusted to have
checked.
"""
