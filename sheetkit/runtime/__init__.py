"""What every run needs around the rules: atomic writes, locks, logs, progress bars, the collector pause."""
