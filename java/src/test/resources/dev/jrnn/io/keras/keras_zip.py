"""The .keras re-zip the Keras 3 fixture generators below this folder share (keras3_layers/, keras3_nested/, keras3_real/).
Their scripts run from their own folder and import it through the parent folder:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""
import zipfile


def deflate(path):
    """Re-zips a .keras file with deflate, each member's bytes as Keras wrote them (Keras stores them uncompressed; Keras
    and jrnn read either): a few KB instead of tens. Names and times are kept; the entries' other attributes are zipfile's."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i, data in members:
            z.writestr(zipfile.ZipInfo(i.filename, i.date_time), data, zipfile.ZIP_DEFLATED)
