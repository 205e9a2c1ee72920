"""Building and reading ``.rpyx`` packages."""
