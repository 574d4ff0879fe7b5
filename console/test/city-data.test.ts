import {
  ApiRequestError,
  areasFileSchema,
  calendarSchema,
  categoriesFileSchema,
  categorySchema,
  safeParseCityData,
  type AreasFile,
} from '@ssp/shared';
import {
  addDate,
  apiCityProblems,
  boundaryBeside,
  calendarYears,
  cellMessages,
  emptyNodeProblems,
  featuresFromTree,
  foreignProblems,
  formFieldErrors,
  formFieldOf,
  parseFieldPath,
  placeAreaProblems,
  placeRow,
  problemsOf,
  problemsWithoutRow,
  schemaCityProblems,
  splitRowProblems,
  treeFromFeatures,
} from '../src/city-data';

const square = (x: number, y: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x, y],
      [x + 0.01, y],
      [x + 0.01, y + 0.01],
      [x, y + 0.01],
      [x, y],
    ] as [number, number][],
  ],
});

const feature = (gridId: string, streetId: string, districtId: string, x = 115) => ({
  type: 'Feature' as const,
  geometry: square(x, 28),
  properties: { gridId, gridName: `${gridId}网格`, streetId, streetName: `${streetId}街道`, districtId, districtName: `${districtId}区` },
});

const areas: AreasFile = {
  type: 'FeatureCollection',
  features: [feature('G1', 'S1', 'D1'), feature('G2', 'S2', 'D1', 115.02), feature('G3', 'S1', 'D1', 115.01), feature('G4', 'S3', 'D2', 115.05)],
};

/** A valid category row. */
const category = {
  id: 'C0101',
  code: '0101',
  family: 'component',
  majorCode: '01',
  majorName: '公用设施',
  name: '上水井盖',
  timeLimit: { value: 2, unit: 'work_hours' },
  defaultDepartmentId: 'dept-water',
  publicReportable: true,
  basePoints: 10,
};

describe('field paths of the API and the schema', () => {
  it('reads the API notation into segments', () => {
    expect(parseFieldPath('categories[3].timeLimit.value')).toEqual(['categories', 3, 'timeLimit', 'value']);
    expect(parseFieldPath('features[12].properties.gridId')).toEqual(['features', 12, 'properties', 'gridId']);
    expect(parseFieldPath('holidays[2]')).toEqual(['holidays', 2]);
    expect(parseFieldPath('features[0].geometry.coordinates[0][3]')).toEqual(['features', 0, 'geometry', 'coordinates', 0, 3]);
    expect(parseFieldPath('')).toEqual([]);
  });

  it('strips the array root of the body, and a detail on the body is about the whole', () => {
    const e = new ApiRequestError(400, 'CITY_DATA_INVALID', '城市数据格式有误', [
      { field: 'categories[3].timeLimit.value', issue: '处置时限必须大于 0' },
      { field: 'body', issue: '类别目录不能为空' },
      { issue: '另有 3 处错误未列出' },
    ]);
    expect(apiCityProblems(e, 'categories')).toEqual([
      { path: [3, 'timeLimit', 'value'], message: '处置时限必须大于 0' },
      { path: [], message: '类别目录不能为空' },
      { path: [], message: '另有 3 处错误未列出' },
    ]);
    expect(apiCityProblems(new Error('network'), 'categories')).toEqual([]);
  });

  it('keeps object bodies (areas, calendar) as they are', () => {
    const e = new ApiRequestError(400, 'CITY_DATA_INVALID', 'x', [
      { field: 'workingHours[1].end', issue: '结束时间必须晚于开始时间' },
      { field: 'holidays[0]', issue: '日期格式应为 YYYY-MM-DD 且是真实日期' },
    ]);
    expect(apiCityProblems(e)).toEqual([
      { path: ['workingHours', 1, 'end'], message: '结束时间必须晚于开始时间' },
      { path: ['holidays', 0], message: '日期格式应为 YYYY-MM-DD 且是真实日期' },
    ]);
  });

  it('names the problems of other parts (categories still naming a removed department)', () => {
    const e = new ApiRequestError(400, 'CITY_DATA_INVALID', 'x', [
      { field: 'categories[5].defaultDepartmentId', issue: '部门 dept-water 不存在' },
      { field: 'departments[1].name', issue: '名称不能为空' },
    ]);
    expect(foreignProblems(e, 'departments', ['categories', 'departments'])).toEqual([
      { part: 'categories', path: [5, 'defaultDepartmentId'], message: '部门 dept-water 不存在' },
    ]);
  });

  it('puts the shared schema’s issues on the same paths the API uses', () => {
    const parsed = categoriesFileSchema.safeParse([{ ...category, timeLimit: { value: -2, unit: 'work_hours' } }]);
    expect(parsed.success).toBe(false);
    expect(schemaCityProblems(parsed.error!)).toEqual([{ path: [0, 'timeLimit', 'value'], message: '处置时限必须大于 0' }]);
  });
});

describe('editing a row of a list', () => {
  const check = (rows: unknown[]) => problemsOf(safeParseCityData(categoriesFileSchema, rows));

  it('appends a new row or replaces the edited one when the whole list accepts it', () => {
    const other = { ...category, id: 'C0102', code: '0102', name: '污水井盖' };
    expect(placeRow([category], 'new', other, check)).toEqual({ ok: true, rows: [category, other], index: 1 });
    const renamed = { ...category, name: '雨水井盖' };
    expect(placeRow([category, other], 0, renamed, check)).toEqual({ ok: true, rows: [renamed, other], index: 0 });
  });

  it('answers the list’s problems on that row (a code already taken) and leaves the list alone', () => {
    const rows = [category];
    const placed = placeRow(rows, 'new', { ...category, name: '重复' }, check);
    expect(placed.ok).toBe(false);
    expect(!placed.ok && placed.problems.every((p) => p.row === 1)).toBe(true);
    expect(!placed.ok && placed.problems.length).toBeGreaterThan(0);
    expect(rows).toEqual([category]);
  });

  it('drops a removed row’s problems and moves those of later rows up', () => {
    const at = (row: number) => ({ row, column: 'name', path: ['name'], message: `第 ${row} 行` });
    expect(problemsWithoutRow([at(0), at(1), at(2)], 1)).toEqual([at(0), { ...at(2), row: 1 }]);
  });
});

describe('checking before sending', () => {
  it('words zod’s own issues in Chinese, as the API does, on the field’s path', () => {
    const parsed = safeParseCityData(categorySchema, {
      id: 'E0102',
      code: '0102',
      family: 'event',
      majorCode: '01',
      majorName: '市容环境',
      name: '暴露垃圾',
      timeLimit: { unit: 'work_hours' },
      defaultDepartmentId: 'dept-sanitation',
      publicReportable: true,
      basePoints: 10,
    });
    expect(parsed.success).toBe(false);
    const [problem] = schemaCityProblems(parsed.error!);
    expect(problem!.path).toEqual(['timeLimit', 'value']);
    expect(problem!.message).toMatch(/^无效输入/);
  });
});

describe('problems on table cells and form fields', () => {
  it('splits rows from the whole list and finds a cell’s messages', () => {
    const { rows, general } = splitRowProblems([
      { path: [3, 'timeLimit', 'value'], message: 'a' },
      { path: [3, 'id'], message: 'b' },
      { path: [0], message: 'c' },
      { path: [], message: 'd' },
    ]);
    expect(general).toEqual(['d']);
    expect(cellMessages(rows, 3, 'timeLimit')).toEqual(['a']);
    expect(cellMessages(rows, 3, 'id')).toEqual(['b']);
    expect(cellMessages(rows, 0, '')).toEqual(['c']);
    expect(cellMessages(rows, 1, 'id')).toEqual([]);
  });

  it('finds the deepest form field holding a path', () => {
    const fields = [['id'], ['timeLimit', 'value'], ['timeLimit', 'unit'], ['keywords'], ['timeLimit']];
    expect(formFieldOf(['timeLimit', 'value'], fields)).toEqual(['timeLimit', 'value']);
    expect(formFieldOf(['keywords', 2], fields)).toEqual(['keywords']);
    expect(formFieldOf(['timeLimit'], fields)).toEqual(['timeLimit']);
    expect(formFieldOf(['popularity'], fields)).toBeNull();
  });

  it('sets every field (clearing the others) and lists what no field holds', () => {
    const out = formFieldErrors(
      [
        { path: ['name'], message: '名称不能为空' },
        { path: ['popularity'], message: '太大' },
      ],
      [['id'], ['name']],
    );
    expect(out.fields).toEqual([
      { name: ['id'], errors: [] },
      { name: ['name'], errors: ['名称不能为空'] },
    ]);
    expect(out.unplaced).toEqual(['太大']);
  });
});

describe('the areas file as a tree', () => {
  it('groups grids by street and district in first-seen order, and writes the same file back', () => {
    const tree = treeFromFeatures(areas);
    expect(tree.map((d) => [d.id, d.name, d.streets.map((s) => [s.id, s.grids.map((g) => g.id)])])).toEqual([
      [
        'D1',
        'D1区',
        [
          ['S1', ['G1', 'G3']],
          ['S2', ['G2']],
        ],
      ],
      ['D2', 'D2区', [['S3', ['G4']]]],
    ]);
    const { file, owners } = featuresFromTree(tree);
    expect(areasFileSchema.safeParse(file).success).toBe(true);
    expect(file.features.map((f) => f.properties.gridId)).toEqual(['G1', 'G3', 'G2', 'G4']);
    expect(owners[1]).toEqual({ district: tree[0]!.key, street: tree[0]!.streets[0]!.key, grid: tree[0]!.streets[0]!.grids[1]!.key });
  });

  it('renaming a street renames it on every grid of it', () => {
    const tree = treeFromFeatures(areas);
    tree[0]!.streets[0]!.name = '新街道';
    const { file } = featuresFromTree(tree);
    expect(file.features.filter((f) => f.properties.streetId === 'S1').map((f) => f.properties.streetName)).toEqual(['新街道', '新街道']);
  });

  it('puts the API’s problems on the node and field each property belongs to', () => {
    const tree = treeFromFeatures(areas);
    const { owners } = featuresFromTree(tree);
    const street = tree[0]!.streets[0]!;
    const { nodes, general } = placeAreaProblems(
      [
        { path: ['features', 1, 'properties', 'gridId'], message: '网格编号 G3 与街道或区的编号相同' },
        { path: ['features', 1, 'properties', 'streetName'], message: '街道名称不一致' },
        { path: ['features', 3, 'properties', 'districtId'], message: '区编号' },
        { path: ['features', 0, 'geometry', 'coordinates', 0], message: '环自相交' },
        { path: ['features'], message: '至少需要一个网格' },
        { path: ['features', 99, 'properties', 'gridId'], message: '越界' },
      ],
      owners,
    );
    expect(nodes).toEqual([
      { node: street.grids[1]!.key, field: 'id', message: '网格编号 G3 与街道或区的编号相同' },
      { node: street.key, field: 'name', message: '街道名称不一致' },
      { node: tree[1]!.key, field: 'id', message: '区编号' },
      { node: street.grids[0]!.key, field: 'geometry', message: '环自相交' },
    ]);
    expect(general).toEqual(['至少需要一个网格', '越界']);
  });

  it('refuses a district without streets and a street without grids (the file cannot hold them)', () => {
    const tree = treeFromFeatures(areas);
    tree[1]!.streets[0]!.grids = [];
    tree.push({ key: 'd-new', id: 'D3', name: '新区', streets: [] });
    expect(emptyNodeProblems(tree)).toEqual([
      { node: tree[1]!.streets[0]!.key, field: '', message: '街道 S3街道 下至少需要一个网格' },
      { node: 'd-new', field: '', message: '区 新区 下至少需要一个街道' },
    ]);
  });

  it('places a new grid beside its street with a valid closed ring', () => {
    const tree = treeFromFeatures(areas);
    const geometry = boundaryBeside(tree[0]!.streets[0], { lat: 28, lng: 115 });
    expect(geometry.type).toBe('Polygon');
    const ring = geometry.type === 'Polygon' ? geometry.coordinates[0]! : [];
    expect(ring[0]).toEqual(ring[4]);
    expect(ring[0]![0]).toBeCloseTo(115.02, 6);
    const tree2 = featuresFromTree(tree).file;
    tree2.features.push({ ...feature('G9', 'S1', 'D1'), geometry });
    expect(areasFileSchema.safeParse(tree2).success).toBe(true);
  });
});

describe('calendar dates', () => {
  it('adds a date once, in order, and lists the years', () => {
    expect(addDate(['2026-01-01', '2026-10-01'], '2026-05-01')).toEqual(['2026-01-01', '2026-05-01', '2026-10-01']);
    expect(addDate(['2026-01-01'], '2026-01-01')).toEqual(['2026-01-01']);
    expect(calendarYears([['2027-01-01'], ['2025-12-31']], 2026)).toEqual([2025, 2026, 2027]);
    const cal = {
      timezone: 'Asia/Shanghai',
      workingHours: [{ start: '09:00', end: '17:00' }],
      holidays: addDate([], '2026-05-01'),
      extraWorkdays: [],
    };
    expect(calendarSchema.safeParse(cal).success).toBe(true);
  });
});
