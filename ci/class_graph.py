"""jdeps' class graph for the stage scripts (gpu-test-closure.py, jar-closure.py): nested classes count as their top class."""
import collections


def read_edges(path):
    """{class: set of classes it uses} from a file of "from to" lines."""
    edges = collections.defaultdict(set)
    for line in open(path):
        a, b = line.split()
        edges[a.split('$')[0]].add(b.split('$')[0])
    return edges


def reach(edges, roots):
    """Every class reachable from roots (roots included)."""
    seen, todo = set(), list(roots)
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(edges.get(c, ()))
    return seen
