# technique: near miss - builds a WPF dialog via clr references and XamlReader.Parse on a constant XAML string to pick a view template
import clr

clr.AddReference("PresentationFramework")
clr.AddReference("PresentationCore")
clr.AddReference("WindowsBase")
from System.Windows.Markup import XamlReader  # noqa: E402

from Autodesk.Revit.DB import FilteredElementCollector, View, Transaction  # noqa: E402

XAML = """
<Window xmlns="http://schemas.microsoft.com/winfx/2006/xaml/presentation"
        Title="Apply View Template" Width="360" Height="420" WindowStartupLocation="CenterScreen">
  <DockPanel Margin="10">
    <Button Name="ApplyBtn" DockPanel.Dock="Bottom" Content="Apply" Height="28" Margin="0,8,0,0"/>
    <ListBox Name="TemplateList"/>
  </DockPanel>
</Window>
"""

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
templates = {v.Name: v for v in FilteredElementCollector(doc).OfClass(View) if v.IsTemplate}

win = XamlReader.Parse(XAML)
lst = win.FindName("TemplateList")
for name in sorted(templates):
    lst.Items.Add(name)


def on_apply(sender, args):
    chosen = lst.SelectedItem
    if chosen:
        with Transaction(doc, "Apply view template") as t:
            t.Start()
            doc.ActiveView.ViewTemplateId = templates[chosen].Id
            t.Commit()
    win.Close()


win.FindName("ApplyBtn").Click += on_apply
win.ShowDialog()
