"""Lists of people: who is due, who fits a role, and writing a list as its own worksheet."""
