# technique: (IronPython 2) WPF dialog via clr.AddReference('PresentationFramework') and XamlReader.Parse of an inline XAML string; sets wall comments
# -*- coding: utf-8 -*-
import clr
clr.AddReference("PresentationFramework")
clr.AddReference("PresentationCore")
clr.AddReference("WindowsBase")
from System.Windows.Markup import XamlReader
from Autodesk.Revit.DB import Transaction

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document

XAML = """<Window xmlns="http://schemas.microsoft.com/winfx/2006/xaml/presentation"
        Title="Set Comments" Width="320" Height="150" WindowStartupLocation="CenterScreen">
  <StackPanel Margin="10">
    <TextBox Name="CommentBox" Margin="0,0,0,10"/>
    <Button Name="OkButton" Content="Apply" Width="80"/>
  </StackPanel>
</Window>"""

class CommentForm(object):
    def __init__(self):
        self.window = XamlReader.Parse(XAML)
        self.box = self.window.FindName("CommentBox")
        self.window.FindName("OkButton").Click += self.on_ok
        self.value = None

    def on_ok(self, sender, args):
        self.value = self.box.Text
        self.window.Close()

form = CommentForm()
form.window.ShowDialog()
if form.value:
    t = Transaction(doc, "Set comments")
    t.Start()
    try:
        for eid in uidoc.Selection.GetElementIds():
            p = doc.GetElement(eid).LookupParameter("Comments")
            if p and not p.IsReadOnly:
                p.Set(form.value)
        t.Commit()
    except Exception, e:
        t.RollBack()
        print "Failed: %s" % e
