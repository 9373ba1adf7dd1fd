"""Scripts for the people who build attune: the reply corpus and training. Not in the wheel."""
