# technique: near miss — codecs.open(..., encoding='utf-16') to read a Revit shared-parameter TXT file and list groups/params; codecs used for text decoding only
import codecs
import os
from collections import OrderedDict


def read_shared_parameters(path):
    groups = OrderedDict()
    params = []
    with open(path, "rb") as raw:
        bom = raw.read(2)
    encoding = "utf-16" if bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8"
    with codecs.open(path, "r", encoding=encoding) as fh:
        for line in fh:
            cols = line.rstrip("\r\n").split("\t")
            if cols[0] == "GROUP" and len(cols) >= 3:
                groups[cols[1]] = cols[2]
            elif cols[0] == "PARAM" and len(cols) >= 6:
                params.append({"guid": cols[1], "name": cols[2], "type": cols[3], "group": groups.get(cols[5], "?")})
    return groups, params


def current_file():
    app = __revit__.Application
    return app.SharedParametersFilename


if __name__ == "__main__":
    path = current_file()
    if path and os.path.exists(path):
        g, p = read_shared_parameters(path)
        for item in p:
            print("{group:<20} {name:<40} {type}".format(**item))
