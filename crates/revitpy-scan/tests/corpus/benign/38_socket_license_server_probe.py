# technique: near miss — socket.create_connection to the company's FlexLM license server port just to test reachability, then closes; no shell, no data sent
import socket

from Autodesk.Revit.UI import TaskDialog

LICENSE_SERVERS = [("lic01.acme.local", 27000), ("lic02.acme.local", 27000)]


def reachable(host, port, timeout=2.0):
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except (OSError, socket.timeout):
        return False
    conn.close()
    return True


def diagnose():
    lines = []
    for host, port in LICENSE_SERVERS:
        try:
            ip = socket.gethostbyname(host)
        except socket.gaierror:
            lines.append("{}: DNS lookup failed".format(host))
            continue
        state = "OK" if reachable(ip, port) else "unreachable"
        lines.append("{} ({}):{} {}".format(host, ip, port, state))
    return "\n".join(lines)


TaskDialog.Show("License diagnostics", diagnose())
