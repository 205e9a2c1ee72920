"""Scanning ``.rpyx`` packages before anyone runs them."""
