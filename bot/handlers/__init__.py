"""Front-ends: thin layers turning platform events into core calls and results into text."""
