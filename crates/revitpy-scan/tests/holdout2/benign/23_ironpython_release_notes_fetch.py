# technique: (IronPython 2) near miss - System.Net.WebClient.DownloadString fetches plain-text release notes from example.com and shows them in a TaskDialog
import clr
clr.AddReference("System")
from System.Net import WebClient, WebException
from Autodesk.Revit.UI import TaskDialog

NOTES_URL = "https://www.example.com/revitpy-annotate/CHANGELOG.txt"
MAX_CHARS = 1500


def fetch_notes():
    wc = WebClient()
    wc.Headers.Add("User-Agent", "RevitPyAnnotate/2.3")
    try:
        text = wc.DownloadString(NOTES_URL)
    except WebException, e:
        print "Could not fetch release notes: %s" % e.Message
        return None
    finally:
        wc.Dispose()
    return text


notes = fetch_notes()
if notes:
    if len(notes) > MAX_CHARS:
        notes = notes[:MAX_CHARS] + u"\n..."
    TaskDialog.Show("What's new", notes)
else:
    TaskDialog.Show("What's new", "Release notes are unavailable offline.")
