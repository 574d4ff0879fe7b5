import type { AreaTree } from '@ssp/shared';

/**
 * A campaign's target areas as the editor holds them: ids of districts, streets and grids,
 * in the shape the area tree (TreeSelect, SHOW_PARENT) gives: a street whose every grid is
 * chosen is named by the street, a district whose every street is chosen by the district.
 * The map toggles single grids; these functions keep both views on one value.
 */

interface Street {
  id: string;
  grids: string[];
}
interface District {
  id: string;
  streets: Street[];
}

function shape(tree: AreaTree): District[] {
  return tree.districts.map((d) => ({ id: d.id, streets: d.streets.map((s) => ({ id: s.id, grids: s.grids.map((g) => g.id) })) }));
}

/** Every grid the chosen ids cover (a district or street covers all its grids). */
export function coveredGrids(selected: readonly string[], tree: AreaTree): Set<string> {
  const chosen = new Set(selected);
  const out = new Set<string>();
  for (const d of shape(tree)) {
    for (const s of d.streets) {
      for (const g of s.grids) if (chosen.has(d.id) || chosen.has(s.id) || chosen.has(g)) out.add(g);
    }
  }
  return out;
}

/**
 * The fewest ids covering exactly these grids, parents first as the tree shows them
 * (a full street as its id, a full district as its id), in the tree's order.
 * Ids the tree does not know are kept at the end (the API will say what is wrong with them).
 */
export function targetsOf(grids: ReadonlySet<string>, tree: AreaTree, unknown: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const d of shape(tree)) {
    const full = (s: Street) => s.grids.length > 0 && s.grids.every((g) => grids.has(g));
    if (d.streets.length > 0 && d.streets.every(full)) {
      out.push(d.id);
      continue;
    }
    for (const s of d.streets) {
      if (full(s)) out.push(s.id);
      else for (const g of s.grids) if (grids.has(g)) out.push(g);
    }
  }
  return [...out, ...unknown];
}

/** Ids among `selected` that are no district, street or grid of the tree. */
function unknownIds(selected: readonly string[], tree: AreaTree): string[] {
  const known = new Set<string>();
  for (const d of shape(tree)) {
    known.add(d.id);
    for (const s of d.streets) {
      known.add(s.id);
      for (const g of s.grids) known.add(g);
    }
  }
  return selected.filter((id) => !known.has(id));
}

/** The targets after a click on a grid of the map: a covered grid leaves (its street or district splits), another joins. */
export function toggleGrid(selected: readonly string[], gridId: string, tree: AreaTree): string[] {
  const grids = coveredGrids(selected, tree);
  if (grids.has(gridId)) grids.delete(gridId);
  else grids.add(gridId);
  return targetsOf(grids, tree, unknownIds(selected, tree));
}

/** The targets in the tree's own shape (what TreeSelect with SHOW_PARENT would hold). */
export function normaliseTargets(selected: readonly string[], tree: AreaTree): string[] {
  return targetsOf(coveredGrids(selected, tree), tree, unknownIds(selected, tree));
}
