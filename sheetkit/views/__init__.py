"""Views of a checked sheet for people: notebook displays, charts, the HTML report."""
