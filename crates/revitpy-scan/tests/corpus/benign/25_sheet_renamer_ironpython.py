# technique: (IronPython 2) pyRevit sheet renamer — find/replace in sheet names inside a Transaction, Python 2 print and `except Exception, e`
# -*- coding: utf-8 -*-
from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet, Transaction
from pyrevit import forms

__title__ = "Rename\nSheets"
__doc__ = "Find and replace text in sheet names."

doc = __revit__.ActiveUIDocument.Document

find = forms.ask_for_string(prompt="Find:", title="Rename Sheets")
replace = forms.ask_for_string(prompt="Replace with:", title="Rename Sheets")

if find:
    sheets = FilteredElementCollector(doc).OfClass(ViewSheet).ToElements()
    t = Transaction(doc, "Rename sheets")
    t.Start()
    renamed = 0
    try:
        for s in sheets:
            if find in s.Name:
                s.Name = s.Name.replace(find, replace or "")
                renamed += 1
        t.Commit()
    except Exception, e:
        t.RollBack()
        print "Error: %s" % e
    print "Renamed %d of %d sheets" % (renamed, len(sheets))
else:
    print "Nothing to do."
