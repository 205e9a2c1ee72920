# technique: opens the add-in's documentation / issue tracker in the default browser with webbrowser.open; no download or execution
import webbrowser

try:
    from urllib.parse import quote
except ImportError:  # IronPython 2
    from urllib import quote

DOCS = "https://docs.walltools.example.com/en/latest/"
ISSUES = "https://github.com/walltools/walltools/issues/new"

__title__ = "Help"


def open_docs(topic=None):
    url = DOCS if topic is None else DOCS + "search.html?q=" + quote(topic)
    webbrowser.open(url, new=2)


def report_issue(revit_version, addin_version):
    body = "Revit: {}\nAdd-in: {}\n\nSteps to reproduce:\n".format(revit_version, addin_version)
    webbrowser.open(ISSUES + "?title=Bug&body=" + quote(body))


if __name__ == "__main__":
    app = __revit__.Application
    open_docs()
    report_issue(app.VersionNumber, "1.8.2")
