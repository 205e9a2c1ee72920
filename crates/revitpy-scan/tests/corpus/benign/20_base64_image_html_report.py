# technique: near miss — base64.b64encode of an exported view PNG to embed as a data: URI in an HTML report (encoding output, never decoding+exec)
import base64
import os
import tempfile

from Autodesk.Revit.DB import ImageExportOptions, ImageFileType, ExportRange

doc = __revit__.ActiveUIDocument.Document


def export_active_view_png():
    folder = tempfile.mkdtemp()
    opts = ImageExportOptions()
    opts.ExportRange = ExportRange.CurrentView
    opts.HLRandWFViewsFileType = ImageFileType.PNG
    opts.FilePath = os.path.join(folder, "view")
    doc.ExportImage(opts)
    return [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".png")][0]


def html_report(png_path, title):
    with open(png_path, "rb") as fh:
        b64 = base64.b64encode(fh.read()).decode("ascii")
    return (
        "<html><head><title>{t}</title></head><body><h1>{t}</h1>"
        '<img src="data:image/png;base64,{b}" style="max-width:100%"/></body></html>'
    ).format(t=title, b=b64)


out = os.path.join(os.path.expanduser("~"), "Documents", "view_report.html")
with open(out, "w", encoding="utf-8") as fh:
    fh.write(html_report(export_active_view_png(), doc.Title))
print("Report:", out)
