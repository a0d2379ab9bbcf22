"""Renderers: one per format, each a function of the Report (the terminal one takes a Console)."""
