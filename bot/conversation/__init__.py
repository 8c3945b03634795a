"""The product's conversation, written once for every front-end.

Adapters (``bot/handlers/<platform>``) turn a platform event into a press of an action
from :mod:`bot.conversation.vocabulary` (or a text answer) and render the neutral
:class:`~bot.conversation.replies.Answer` they get back in their own idiom. Nothing here
imports a chat SDK or SQL: who may do what, what is said and what comes next live here
and in ``core/``, never in an adapter.
"""
