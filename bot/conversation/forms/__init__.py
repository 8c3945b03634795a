"""Multi-step exchanges, each defined once: its questions, how each answer is read and
checked, its stored state and what submitting it does. Front-ends only ask and render."""
