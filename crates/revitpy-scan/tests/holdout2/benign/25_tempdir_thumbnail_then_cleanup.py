# technique: near miss - renders a view thumbnail into a private tempfile.mkdtemp() folder, reads it, then shutil.rmtree's only that temp folder
import base64
import os
import shutil
import tempfile

from Autodesk.Revit.DB import ImageExportOptions, ExportRange, ImageFileType, ImageResolution

doc = __revit__.ActiveUIDocument.Document
view = doc.ActiveView


def thumbnail_png(view, size=512):
    tmp = tempfile.mkdtemp(prefix="revitpy_thumb_")
    try:
        opts = ImageExportOptions()
        opts.ExportRange = ExportRange.CurrentView
        opts.FilePath = os.path.join(tmp, "thumb")
        opts.HLRandWFViewsFileType = ImageFileType.PNG
        opts.ImageResolution = ImageResolution.DPI_150
        opts.PixelSize = size
        doc.ExportImage(opts)
        pngs = [f for f in os.listdir(tmp) if f.lower().endswith(".png")]
        if not pngs:
            return None
        with open(os.path.join(tmp, pngs[0]), "rb") as fh:
            return fh.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


data = thumbnail_png(view)
if data:
    html = '<img alt="%s" src="data:image/png;base64,%s"/>' % (view.Name, base64.b64encode(data).decode())
    out = os.path.join(os.path.expanduser("~"), "Documents", "view_thumb.html")
    with open(out, "w") as fh:
        fh.write(html)
    print("Thumbnail embedded in %s" % out)
