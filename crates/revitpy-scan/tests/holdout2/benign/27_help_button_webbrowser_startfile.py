# technique: near miss - help button opens a fixed https help URL with webbrowser and the add-in's bundled PDF manual with os.startfile
import os
import webbrowser

from Autodesk.Revit.UI import TaskDialog, TaskDialogCommandLinkId, TaskDialogResult

HELP_URL = "https://docs.example.com/revitpy-openings/"
MANUAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docs", "RevitPyOpenings_Manual.pdf")

td = TaskDialog("RevitPy Openings Help")
td.MainInstruction = "How would you like to view help?"
td.AddCommandLink(TaskDialogCommandLinkId.CommandLink1, "Online documentation")
td.AddCommandLink(TaskDialogCommandLinkId.CommandLink2, "Offline PDF manual")
result = td.Show()

if result == TaskDialogResult.CommandLink1:
    webbrowser.open(HELP_URL, new=2)
elif result == TaskDialogResult.CommandLink2:
    if os.path.isfile(MANUAL):
        os.startfile(MANUAL)
    else:
        TaskDialog.Show("Help", "Manual not found at %s" % MANUAL)
