#!/usr/bin/env python3
"""Prunes staged library jars to the classes the staged code reaches (jdeps' class graph), to fit the carry limit.
Args: LIB_DIR EDGES_FILE ("from to" per line, over every staged class and jar) JAR_PREFIX...
Roots: every class outside the pruned jars. Kept whole: a class named in a kept META-INF/services file, and each
reached class's nested classes. Everything but .class entries (manifests, services, licences) stays."""
import glob, os, sys, zipfile

from class_graph import reach, read_edges

lib, edges_file, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
edges = read_edges(edges_file)
nodes = set(edges).union(*edges.values())
pruned = [j for j in sorted(glob.glob(os.path.join(lib, '*.jar')))
          if any(os.path.basename(j).startswith(p) for p in prefixes)]
if len(pruned) != len(prefixes):
    sys.exit(f"jar-closure: expected one jar per prefix {prefixes}, found {pruned}")
def classes(jar):
    with zipfile.ZipFile(jar) as z:
        return {n[:-6].replace('/', '.').split('$')[0] for n in z.namelist()
                if n.endswith('.class') and not n.startswith('META-INF/') and not n.endswith('module-info.class')}
inside = set().union(*(classes(j) for j in pruned))
roots = {n for n in nodes if n not in inside}
for j in pruned:
    with zipfile.ZipFile(j) as z:
        for n in z.namelist():
            if n.startswith('META-INF/services/') and not n.endswith('/'):
                roots.update(l.split('#')[0].strip() for l in z.read(n).decode().splitlines() if l.split('#')[0].strip())
seen = reach(edges, roots)
saved = 0
for j in pruned:
    before = os.path.getsize(j)
    tmp = j + '.tmp'
    with zipfile.ZipFile(j) as src, zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            n = info.filename
            if n.endswith('.class') and not n.endswith('module-info.class') and not n.startswith('META-INF/versions/'):
                if n[:-6].replace('/', '.').split('$')[0] not in seen:
                    continue
            if n.startswith('META-INF/versions/') or n.endswith('module-info.class'):
                continue   # a trimmed module descriptor would name packages no longer there
            dst.writestr(info, src.read(n))
    os.replace(tmp, j)
    saved += before - os.path.getsize(j)
print(f"jar closure: {len(pruned)} library jars pruned to the classes reached, {saved // 1024} KB less")
