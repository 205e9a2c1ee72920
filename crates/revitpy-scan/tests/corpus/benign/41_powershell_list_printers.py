# technique: near miss — subprocess.run(['powershell','-NoProfile','-Command','Get-Printer | ... ConvertTo-Json']) fixed read-only query to fill a print dialog; no encoded/downloaded script
import json
import subprocess

PS_QUERY = "Get-Printer | Select-Object Name,DriverName,Shared | ConvertTo-Json -Compress"


def list_printers():
    try:
        res = subprocess.run(
            ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", PS_QUERY],
            capture_output=True,
            text=True,
            timeout=15,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    data = json.loads(res.stdout or "[]")
    if isinstance(data, dict):
        data = [data]
    return [p["Name"] for p in data if "PDF" in p["DriverName"] or p.get("Shared")]


def choose_printer(doc):
    names = list_printers()
    current = doc.PrintManager.PrinterName
    return current if current in names else (names[0] if names else current)


if __name__ == "__main__":
    print(list_printers())
