# technique: benign: exports the active view to PNG and embeds it base64-encoded as a data URI in a self-contained HTML QA report
import base64
import datetime
import glob
import html
import os
from Autodesk.Revit.DB import ImageExportOptions, ImageFileType, ExportRange

doc = __revit__.ActiveUIDocument.Document
view = doc.ActiveView
OUT = os.path.join(os.path.expanduser("~"), "Documents", "QA Reports")
os.makedirs(OUT, exist_ok=True)

opts = ImageExportOptions()
opts.ExportRange = ExportRange.CurrentView
opts.HLRandWFViewsFileType = ImageFileType.PNG
opts.FilePath = os.path.join(OUT, "snapshot")
doc.ExportImage(opts)

png = sorted(glob.glob(os.path.join(OUT, "snapshot*.png")), key=os.path.getmtime)[-1]
with open(png, "rb") as fh:
    b64 = base64.b64encode(fh.read()).decode("ascii")

report = """<html><head><meta charset="utf-8"><title>QA report</title></head><body>
<h1>{title}</h1><p>View: {view} &mdash; {date}</p>
<img src="data:image/png;base64,{img}" style="max-width:100%"/>
</body></html>""".format(title=html.escape(doc.Title), view=html.escape(view.Name),
                         date=datetime.date.today().isoformat(), img=b64)

with open(os.path.join(OUT, "qa_report.html"), "w", encoding="utf-8") as fh:
    fh.write(report)
