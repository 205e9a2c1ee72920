# technique: benign (IronPython 2): WPF dialog loaded from an inline XAML string via clr/wpf to pick a sheet prefix
import clr
clr.AddReference("PresentationFramework")
clr.AddReference("IronPython.Wpf")
import wpf
from System.Windows import Window
from System.IO import StringReader

XAML = """<Window xmlns="http://schemas.microsoft.com/winfx/2006/xaml/presentation"
        xmlns:x="http://schemas.microsoft.com/winfx/2006/xaml"
        Title="Sheet prefix" Width="300" Height="140" WindowStartupLocation="CenterScreen">
  <StackPanel Margin="10">
    <TextBox x:Name="prefix_tb" Text="A-"/>
    <Button x:Name="ok_btn" Content="OK" Margin="0,10,0,0" Click="on_ok"/>
  </StackPanel>
</Window>"""


class PrefixDialog(Window):
    def __init__(self):
        wpf.LoadComponent(self, StringReader(XAML))
        self.value = None

    def on_ok(self, sender, args):
        self.value = self.prefix_tb.Text.strip()
        self.Close()


dlg = PrefixDialog()
dlg.ShowDialog()
if dlg.value:
    print "Selected prefix: %s" % dlg.value
