// Disjoint byte ranges of one address space, each labelled with the latest call that
// touches it: a treap ordered by begin, so claiming a range, asking whether a range is
// touched and removing one each cost O(log n) expected, however many calls are in
// flight.

export interface SpanOwner {
  /** Every node labelled with this owner, including those since taken by later calls. */
  readonly nodes: SpanNode[];
}

export interface SpanNode {
  begin: number;
  end: number;
  owner: SpanOwner;
  tree: SpanTree;
  /** False once a later claim took the range (or its owner finished). */
  alive: boolean;
  priority: number;
  left: SpanNode | null;
  right: SpanNode | null;
}

type Tree = SpanNode | null;


/** [nodes beginning before key, nodes beginning at or after key]. */
function split(t: Tree, key: number): [Tree, Tree] {
  if (t === null) return [null, null];
  if (t.begin < key) {
    const [l, r] = split(t.right, key);
    t.right = l;
    return [t, r];
  }
  const [l, r] = split(t.left, key);
  t.left = r;
  return [l, t];
}

/** Every node of a precedes every node of b. */
function merge(a: Tree, b: Tree): Tree {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return a;
  }
  b.left = merge(a, b.left);
  return b;
}

function last(t: Tree): SpanNode | null {
  if (t === null) return null;
  while (t.right !== null) t = t.right;
  return t;
}

function withoutLast(t: SpanNode): Tree {
  if (t.right === null) return t.left;
  t.right = withoutLast(t.right);
  return t;
}

function retire(t: Tree, previous: Set<SpanOwner>): void {
  if (t === null) return;
  t.alive = false;
  previous.add(t.owner);
  retire(t.left, previous);
  retire(t.right, previous);
}

export class SpanTree {
  private root: Tree = null;

  /** `key` names the address space, for whoever keeps the trees. */
  constructor(readonly key: unknown) {}

  get empty(): boolean {
    return this.root === null;
  }

  /** Whether any range in the tree overlaps [begin, end). */
  touches(begin: number, end: number): boolean {
    let t = this.root;
    let candidate: SpanNode | null = null;
    while (t !== null) {
      if (t.begin < end) {
        candidate = t;
        t = t.right;
      } else {
        t = t.left;
      }
    }
    return candidate !== null && candidate.end > begin;
  }

  /** Labels [begin, end) with `owner`, adding to `previous` the owners it takes bytes from. */
  claim(begin: number, end: number, owner: SpanOwner, previous: Set<SpanOwner>): void {
    let [before, rest] = split(this.root, begin);
    const remainders: SpanNode[] = [];
    const straddling = last(before);
    if (straddling !== null && straddling.end > begin) {
      before = withoutLast(before!);
      straddling.alive = false;
      previous.add(straddling.owner);
      remainders.push(this.node(straddling.begin, begin, straddling.owner));
      if (straddling.end > end) remainders.push(this.node(end, straddling.end, straddling.owner));
    }
    const [inside, after] = split(rest, end);
    const tail = last(inside);
    if (tail !== null && tail.end > end) remainders.push(this.node(end, tail.end, tail.owner));
    retire(inside, previous);
    this.root = merge(before, after);
    this.insert(this.node(begin, end, owner));
    for (const r of remainders) this.insert(r);
  }

  /** Removes `n` if a later claim has not already taken it. */
  remove(n: SpanNode): void {
    if (!n.alive) return;
    n.alive = false;
    const [before, rest] = split(this.root, n.begin);
    const [, after] = split(rest, n.begin + 1);
    this.root = merge(before, after);
  }

  private node(begin: number, end: number, owner: SpanOwner): SpanNode {
    const n: SpanNode = { begin, end, owner, tree: this, alive: true, priority: Math.random(), left: null, right: null };
    owner.nodes.push(n);
    return n;
  }

  private insert(n: SpanNode): void {
    n.left = n.right = null;
    const [before, after] = split(this.root, n.begin);
    this.root = merge(merge(before, n), after);
  }
}
