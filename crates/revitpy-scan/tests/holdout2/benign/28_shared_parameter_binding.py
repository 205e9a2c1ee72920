# technique: creates a shared parameter in the add-in's own shared-parameter file and binds it to doors as an instance parameter
import os

from Autodesk.Revit.DB import (BuiltInCategory, BuiltInParameterGroup, ExternalDefinitionCreationOptions,
                               SpecTypeId, Transaction)

app = __revit__.Application
doc = __revit__.ActiveUIDocument.Document

SP_FILE = os.path.join(os.environ["APPDATA"], "RevitPyDoors", "shared_params.txt")
GROUP, PARAM = "RevitPyDoors", "Hardware Set"

if not os.path.exists(SP_FILE):
    os.makedirs(os.path.dirname(SP_FILE), exist_ok=True)
    open(SP_FILE, "w").close()

previous = app.SharedParametersFilename
app.SharedParametersFilename = SP_FILE
try:
    sp = app.OpenSharedParameterFile()
    grp = sp.Groups.get_Item(GROUP) or sp.Groups.Create(GROUP)
    definition = grp.Definitions.get_Item(PARAM) or grp.Definitions.Create(
        ExternalDefinitionCreationOptions(PARAM, SpecTypeId.String.Text))
    cats = app.Create.NewCategorySet()
    cats.Insert(doc.Settings.Categories.get_Item(BuiltInCategory.OST_Doors))
    binding = app.Create.NewInstanceBinding(cats)
    with Transaction(doc, "Bind Hardware Set") as t:
        t.Start()
        if not doc.ParameterBindings.Insert(definition, binding, BuiltInParameterGroup.PG_IDENTITY_DATA):
            doc.ParameterBindings.ReInsert(definition, binding, BuiltInParameterGroup.PG_IDENTITY_DATA)
        t.Commit()
finally:
    if previous:
        app.SharedParametersFilename = previous
print("Parameter '%s' bound to Doors" % PARAM)
