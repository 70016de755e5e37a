"""Package discovery only; everything else is in pyproject.toml.

pyproject.toml cannot both discover packages (``packages.find``) and add the ``monitor_plugins`` package that
``package-dir`` maps from ``plugins/``, so the list is computed here: every ``monitor.*`` package found on
disk, plus ``monitor_plugins``. ``.ci/wheel-smoke`` runs the installed wheel to prove nothing is missing.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["monitor", "monitor.*"]), "monitor_plugins"])
