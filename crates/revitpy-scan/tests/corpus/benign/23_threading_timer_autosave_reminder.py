# technique: threading.Timer reminder that nags the user to sync with central every N minutes; background thread doing only UI notification
import threading
import time

from Autodesk.Revit.UI import TaskDialog

INTERVAL_MIN = 30


class SyncReminder(object):
    def __init__(self, doc, minutes=INTERVAL_MIN):
        self.doc = doc
        self.seconds = minutes * 60
        self._timer = None
        self.last = time.time()

    def _fire(self):
        if self.doc.IsWorkshared and self.doc.IsModified:
            mins = int((time.time() - self.last) / 60)
            TaskDialog.Show("Sync reminder", "You have not synchronised for {} minutes.".format(mins))
        self.start()

    def start(self):
        self.stop()
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def stop(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def synced(self):
        self.last = time.time()


reminder = SyncReminder(__revit__.ActiveUIDocument.Document)
reminder.start()
