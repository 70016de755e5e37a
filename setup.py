"""Package discovery only; everything else is in pyproject.toml.

pyproject.toml cannot both discover packages (``packages.find``) and add the ``monitor_plugins`` package that
``package-dir`` maps from ``plugins/``, so the list is computed here: every ``monitor.*`` package found on
disk, plus ``monitor_plugins`` and its subpackages (a built-in detector is a package: ``plugins/casualties/``
installs as ``monitor_plugins.casualties``). ``.ci/wheel-smoke`` runs the installed wheel to prove nothing is
missing.
"""

from setuptools import find_packages, setup

plugins = ["monitor_plugins", *(f"monitor_plugins.{p}" for p in find_packages(where="plugins"))]
setup(packages=[*find_packages(include=["monitor", "monitor.*"]), *plugins])
