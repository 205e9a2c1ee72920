# technique: near miss — zlib.compress/zlib.decompress + base64 of a JSON element cache; decompressed data goes to json.loads, never exec
import base64
import json
import os
import zlib

CACHE = os.path.join(os.getenv("LOCALAPPDATA", os.path.expanduser("~")), "ParamSync", "cache.z")


def save_cache(data):
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    with open(CACHE, "wb") as fh:
        fh.write(zlib.compress(raw, 9))


def load_cache():
    try:
        with open(CACHE, "rb") as fh:
            return json.loads(zlib.decompress(fh.read()).decode("utf-8"))
    except (OSError, zlib.error, ValueError):
        return {}


def pack_for_clipboard(data):
    """Compact text form so users can paste parameter sets between models."""
    return base64.b64encode(zlib.compress(json.dumps(data).encode())).decode()


def unpack_from_clipboard(text):
    return json.loads(zlib.decompress(base64.b64decode(text)).decode())


if __name__ == "__main__":
    s = pack_for_clipboard({"Fire Rating": "60", "Acoustic": "Rw 45"})
    print(s, unpack_from_clipboard(s))
