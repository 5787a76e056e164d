#!/usr/bin/env python3
"""Deletes from a staged test-classes folder every test class that no @Tag("gpu") test reaches (by jdeps' class graph).
Args: TEST_CLASSES_DIR ROOTS_FILE (one class per line) EDGES_FILE ("from to" per line). Resources are kept."""
import os
import sys

from class_graph import reach, read_edges

tc, roots_file, edges_file = sys.argv[1:4]
edges = read_edges(edges_file)
roots = [l.strip() for l in open(roots_file) if l.strip()]
if not roots:
    sys.exit("no @Tag(\"gpu\") test found: refusing to delete every test class")
seen = reach(edges, roots)
dropped = 0
for d, _, files in os.walk(tc):
    for f in files:
        if not f.endswith('.class'):
            continue
        cls = os.path.relpath(os.path.join(d, f), tc)[:-6].replace(os.sep, '.').split('$')[0]
        if cls not in seen:
            dropped += os.path.getsize(os.path.join(d, f))
            os.remove(os.path.join(d, f))
missing = [r for r in roots if r not in seen or not os.path.exists(os.path.join(tc, *r.split('.')) + '.class')]
print(f"gpu test closure: {len(seen)} classes kept, {dropped // 1024} KB of other test classes dropped")
if missing:
    sys.exit(f"gpu tests missing from the staged classes: {missing}")
