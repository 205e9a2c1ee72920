# technique: (IronPython 2) near miss — System.Diagnostics.Process.Start('explorer.exe', folder) to reveal the exported IFC folder; fixed program, local path
# -*- coding: utf-8 -*-
import clr
clr.AddReference("System")
from System.Diagnostics import Process
from System import Environment
from System.IO import Directory, Path
from Autodesk.Revit.DB import IFCExportOptions, Transaction

doc = __revit__.ActiveUIDocument.Document
folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.MyDocuments), "IFC Exports")
if not Directory.Exists(folder):
    Directory.CreateDirectory(folder)

t = Transaction(doc, "IFC export")
t.Start()
try:
    ok = doc.Export(folder, doc.Title + ".ifc", IFCExportOptions())
    t.Commit()
except Exception, e:
    t.RollBack()
    ok = False
    print "Export failed: %s" % e

if ok:
    Process.Start("explorer.exe", '"%s"' % folder)
