"""Sender adapters: one per platform, each turning a core Message into a platform call."""
