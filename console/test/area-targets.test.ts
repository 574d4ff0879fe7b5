import type { AreaTree } from '@ssp/shared';
import { coveredGrids, normaliseTargets, targetsOf, toggleGrid } from '../src/area-targets';

const at = { lat: 28.7, lng: 115.7 };
const grid = (id: string) => ({ id, name: id, centroid: at });
/** Two districts: D1 (streets S1 with g1, g2; S2 with g3), D2 (street S3 with g4, g5). */
const tree: AreaTree = {
  districts: [
    {
      id: 'D1',
      name: 'D1',
      streets: [
        { id: 'S1', name: 'S1', grids: [grid('g1'), grid('g2')] },
        { id: 'S2', name: 'S2', grids: [grid('g3')] },
      ],
    },
    { id: 'D2', name: 'D2', streets: [{ id: 'S3', name: 'S3', grids: [grid('g4'), grid('g5')] }] },
  ],
};

describe('campaign target areas picked on the map and in the tree', () => {
  it('a district or street covers all its grids', () => {
    expect([...coveredGrids(['D1'], tree)].sort()).toEqual(['g1', 'g2', 'g3']);
    expect([...coveredGrids(['S3', 'g1'], tree)].sort()).toEqual(['g1', 'g4', 'g5']);
    expect(coveredGrids([], tree).size).toBe(0);
  });

  it('a click on a free grid adds it; a click on a chosen grid takes it out', () => {
    expect(toggleGrid([], 'g1', tree)).toEqual(['g1']);
    expect(toggleGrid(['g1'], 'g1', tree)).toEqual([]);
    expect(toggleGrid(['g4'], 'g1', tree)).toEqual(['g1', 'g4']);
  });

  it('names a full street or district by its id, as the tree does', () => {
    expect(toggleGrid(['g1'], 'g2', tree)).toEqual(['S1']);
    expect(toggleGrid(['S1'], 'g3', tree)).toEqual(['D1']);
    expect(targetsOf(new Set(['g1', 'g2', 'g3', 'g4', 'g5']), tree)).toEqual(['D1', 'D2']);
  });

  it('taking a grid out of a chosen district keeps the rest of it', () => {
    expect(toggleGrid(['D1'], 'g2', tree)).toEqual(['g1', 'S2']);
    expect(toggleGrid(['D1', 'D2'], 'g4', tree)).toEqual(['D1', 'g5']);
  });

  it('keeps ids the tree does not know and puts the others in the tree shape', () => {
    expect(toggleGrid(['old-grid'], 'g5', tree)).toEqual(['g5', 'old-grid']);
    expect(normaliseTargets(['g2', 'g1', 'S2'], tree)).toEqual(['D1']);
  });
});
