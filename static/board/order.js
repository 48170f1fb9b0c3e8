// Keeping keyed rows sorted as deltas come: the work follows the rows that changed, not the table.

// Beyond this many rows arriving at once (a snapshot), one sort beats inserting them one by one.
const BULK = 32;

/** Deep equality of two JSON values (what a frame carries): is this item really new? */
export function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]));
}

/** Put `rows` in this order under `parent`, moving only the ones out of place. */
function reorder(parent, rows, moved) {
  rows.forEach((row, index) => {
    if (parent.children[index] === row) return;
    parent.insertBefore(row, parent.children[index] ?? null);
    moved(row);
  });
}

/**
 * The rows of a table, kept in `compare` order (a total order: ties broken by a key), in
 * row groups of `groupSize` rows (one tbody when there is no size). A tbody is what the browser
 * can skip while it is off screen (content-visibility: auto): rows are grouped so that it has a
 * few dozen boxes to watch rather than one per row. `shifted(row)` runs for each row moved
 * without being changed (into a group that may be on screen while it was not).
 */
export class SortedRows {
  constructor(tbody, compare, { groupSize = Infinity, shifted = () => {} } = {}) {
    Object.assign(this, { compare, groupSize, shifted });
    this.groups = [tbody];
    this.order = [];
  }

  /** Sort every row again (a new sort column) and move the ones out of place. */
  resort(compare = this.compare) {
    this.compare = compare;
    this.order.sort(compare);
    const size = Math.min(this.groupSize, Math.max(1, this.order.length)); // finite, to slice by
    while (this.groups.length < Math.ceil(this.order.length / size)) this.addGroup();
    this.groups.forEach((group, index) => reorder(group, this.order.slice(index * size, (index + 1) * size), this.shifted));
    this.trim();
  }

  /**
   * `moved`: rows that are new or whose sort key changed; `gone`: rows already taken out of the
   * table. O(moved × log rows) comparisons, one DOM move per moved row, and at most one more
   * per group boundary it crossed.
   */
  place(moved, gone) {
    if (!moved.size && !gone.size) return;
    this.order = this.order.filter((row) => !moved.has(row) && !gone.has(row));
    const arriving = [...moved].filter((row) => !gone.has(row));
    if (arriving.length > BULK) {
      this.order.push(...arriving);
      return this.resort();
    }
    for (const row of arriving) this.order.splice(this.slot(row), 0, row);
    // From the last place up, each row goes just before its successor, which is already placed.
    const places = arriving.map((row) => [this.slot(row), row]).sort(([a], [b]) => b - a);
    for (const [index, row] of places) {
      const next = this.order[index + 1];
      if (!next) this.groups.at(-1).append(row);
      else if (row.nextElementSibling !== next) next.before(row);
    }
    if (this.groupSize < Infinity) this.balance();
  }

  /** The first index whose row does not sort before `row` (binary search). */
  slot(row) {
    let [low, high] = [0, this.order.length];
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.compare(this.order[middle], row) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Every group but the last holds exactly groupSize rows: pass the surplus on, or borrow. */
  balance() {
    for (let index = 0; index < this.groups.length; index++) {
      const group = this.groups[index];
      if (index === this.groups.length - 1 && group.childElementCount > this.groupSize) this.addGroup();
      const next = this.groups[index + 1];
      if (!next) break;
      while (group.childElementCount > this.groupSize) this.shift(group.lastElementChild, (row) => next.prepend(row));
      while (group.childElementCount < this.groupSize && next.firstElementChild) this.shift(next.firstElementChild, (row) => group.append(row));
      if (next.firstElementChild) continue;
      this.groups.splice(index + 1, 1)[0].remove(); // emptied: this group borrows from the one after
      index--;
    }
  }

  shift(row, move) {
    move(row);
    this.shifted(row);
  }

  addGroup() {
    const group = this.groups[0].cloneNode(false);
    this.groups.at(-1).after(group);
    this.groups.push(group);
  }

  trim() {
    while (this.groups.length > 1 && !this.groups.at(-1).firstElementChild) this.groups.pop().remove();
  }
}
