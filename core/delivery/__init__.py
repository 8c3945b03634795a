"""Delivering notifications: what a message says, whether it is still worth sending,
how often to retry, how fast to go. Platform-neutral; senders live in ``bot/``."""
