# technique: (IronPython 2) Windows Forms dialog via clr lists levels, then offsets the chosen level's elevation in a Transaction
import clr
clr.AddReference("System.Windows.Forms")
clr.AddReference("System.Drawing")
from System.Windows.Forms import Form, ListBox, Button, DockStyle, DialogResult
from System.Drawing import Size
from Autodesk.Revit.DB import FilteredElementCollector, Level, Transaction

doc = __revit__.ActiveUIDocument.Document
levels = sorted(FilteredElementCollector(doc).OfClass(Level), key=lambda l: l.Elevation)


class LevelPicker(Form):
    def __init__(self, names):
        self.Text = "Pick level"
        self.Size = Size(300, 400)
        self.list = ListBox()
        self.list.Dock = DockStyle.Fill
        for n in names:
            self.list.Items.Add(n)
        ok = Button()
        ok.Text = "OK"
        ok.Dock = DockStyle.Bottom
        ok.DialogResult = DialogResult.OK
        self.AcceptButton = ok
        self.Controls.Add(self.list)
        self.Controls.Add(ok)


form = LevelPicker([l.Name for l in levels])
if form.ShowDialog() == DialogResult.OK and form.list.SelectedIndex >= 0:
    lvl = levels[form.list.SelectedIndex]
    t = Transaction(doc, "Raise level 100 mm")
    t.Start()
    lvl.Elevation = lvl.Elevation + 100 / 304.8
    t.Commit()
    print "Raised %s to %.3f ft" % (lvl.Name, lvl.Elevation)
else:
    print "Cancelled"
