"""Two-way sync: the three-way merge, its state file, and the engine that applies a plan to both copies."""
