"""Slope's data, shipped inside the package: presets (JSON), help pages and their pictures.

Code reads these with :mod:`importlib.resources` (``files("resources") / "presets"``), never
through paths relative to the source tree, so an installed wheel finds them wherever pip
put it. The folders hold data only; nothing here is imported as code.
"""
