# technique: benign: logs command runs (command, duration, model title) to a local sqlite3 DB in LOCALAPPDATA with parameterized queries
import os
import sqlite3
import time
from contextlib import closing

DB = os.path.join(os.environ.get("LOCALAPPDATA", "."), "AcmeRevitTools", "usage.sqlite")


def _connect():
    os.makedirs(os.path.dirname(DB), exist_ok=True)
    con = sqlite3.connect(DB)
    con.execute("CREATE TABLE IF NOT EXISTS runs (ts REAL, command TEXT, seconds REAL, model TEXT)")
    return con


def log_run(command, seconds, model):
    with closing(_connect()) as con, con:
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?)", (time.time(), command, seconds, model))


def summary():
    with closing(_connect()) as con:
        return con.execute("SELECT command, COUNT(*), AVG(seconds) FROM runs "
                           "GROUP BY command ORDER BY 2 DESC").fetchall()


start = time.time()
doc = __revit__.ActiveUIDocument.Document
log_run("WarningsReport", time.time() - start, doc.Title)
for cmd, n, avg in summary():
    print("%-20s %4d runs  %.2fs avg" % (cmd, n, avg))
