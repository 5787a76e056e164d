"""scaleoffset.h5: k.h5 (Keras' own file, beside it) with every array dataset rewritten by h5py through HDF5's built-in
scale-offset filter (id 6, scaleoffset=3: floats kept to 3 decimals), which jhdf 0.13 cannot decode. h5py, and so Keras,
read it; jrnn must name the filter it lacks and say the file is not damaged (outside tester recent R2: "is damaged").
Run from this folder: /usr/bin/python3 make_unsupported_filters.py
"""
import h5py


def rewrite(src, dst, **filters):
    with h5py.File(src, "r") as s, h5py.File(dst, "w", libver="earliest") as d:
        for k, v in s.attrs.items():
            d.attrs[k] = v

        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                g = d.require_group(name)
                for k, v in obj.attrs.items():
                    g.attrs[k] = v
                return
            data = obj[()]
            ds = d.create_dataset(name, data=data, chunks=True, **filters) if data.ndim else d.create_dataset(name, data=data)
            for k, v in obj.attrs.items():
                ds.attrs[k] = v

        s.visititems(copy)


rewrite("k.h5", "scaleoffset.h5", scaleoffset=3)
with h5py.File("scaleoffset.h5", "r") as f:
    ids = set()
    f.visititems(lambda n, o: ids.update(fid for fid in (o.id.get_create_plist().get_filter(i)[0]
                                                          for i in range(o.id.get_create_plist().get_nfilters()))) if isinstance(o, h5py.Dataset) else None)
    assert 6 in ids, ids
