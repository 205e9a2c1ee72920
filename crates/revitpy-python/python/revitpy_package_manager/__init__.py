"""RevitPy package tools: the original project's documented Python classes,
running the RevitPy Registry's Rust libraries underneath.

- ``revitpy_package_manager.builder.rpyx_format``: ``RPYXBuilder``,
  ``RPYXExtractor``, ``RPYXValidator``.
- ``revitpy_package_manager.security.desktop_scanner``: ``SecurityScanner``.
"""

from ._native import __version__

__all__ = ["__version__"]
