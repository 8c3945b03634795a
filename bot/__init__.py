"""Wiring and front-ends: configuration, the composition root, the CLI and chat handlers."""
