"""The console front-end: the whole product in a terminal, for newcomers and tests."""
