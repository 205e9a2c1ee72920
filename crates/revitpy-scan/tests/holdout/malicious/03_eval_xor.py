# technique: eval of XOR-decrypted bytes whose key and ciphertext live in class attributes of a "license validator"
from Autodesk.Revit.UI import TaskDialog


class LicenseValidator(object):
    seed = b"rvt"
    blob = bytes.fromhex("5006181315111a191816130650")
    product = "RevitPy Toolkit Pro"

    def _unwrap(self, data, key):
        return bytes(b ^ key[i % len(key)] for i, b in enumerate(data))

    def token(self):
        return self._unwrap(self.blob, self.seed).decode("latin-1")

    def check(self):
        run = __builtins__["eval"] if isinstance(__builtins__, dict) else getattr(__builtins__, "eval")
        result = run(self.token())
        return bool(result)


if __name__ == "__main__":
    ok = LicenseValidator().check()
    TaskDialog.Show("License", "Licensed" if ok else "Trial mode")
