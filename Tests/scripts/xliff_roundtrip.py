"""Opens an XLIFF file with translate-toolkit (an independent XLIFF implementation), changes one unit's target,
and saves it, as a CAT tool would. translate-toolkit prefixes a unit's id with its file's name and \\x04.
Usage: xliff_roundtrip.py IN.xlf OUT.xlf UNIT_ID NEW_TARGET"""
import sys

from translate.storage import factory

source_path, output_path, unit_id, new_target = sys.argv[1:5]
store = factory.getobject(source_path)
units = [unit for unit in store.units if unit.getid().split("\x04")[-1] == unit_id]
if len(units) != 1:
    sys.exit(f"expected one unit {unit_id}, found {len(units)}")
units[0].target = new_target
with open(output_path, "wb") as output:
    store.serialize(output)
print(f"{len(store.units)} units read; changed {unit_id}")
