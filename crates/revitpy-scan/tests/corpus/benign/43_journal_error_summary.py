# technique: near miss — reads Revit journal files under %LOCALAPPDATA%\Autodesk\Revit\...\Journals to summarise API errors locally; nothing leaves the machine
import glob
import os
import re
from collections import Counter

ERR = re.compile(r"(Exception|Error).{0,120}", re.IGNORECASE)


def journal_dir(version):
    return os.path.join(os.environ["LOCALAPPDATA"], "Autodesk", "Revit", "Autodesk Revit " + version, "Journals")


def recent_journals(version, count=5):
    files = glob.glob(os.path.join(journal_dir(version), "journal.*.txt"))
    return sorted(files, key=os.path.getmtime, reverse=True)[:count]


def summarise(version):
    hits = Counter()
    for path in recent_journals(version):
        with open(path, "r", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if "WallTools" in line:
                    m = ERR.search(line)
                    if m:
                        hits[m.group(0).strip()[:100]] += 1
    return hits.most_common(10)


if __name__ == "__main__":
    for msg, n in summarise(__revit__.Application.VersionNumber):
        print("{:>4}  {}".format(n, msg))
