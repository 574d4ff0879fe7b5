import { z } from 'zod';

/*
 * City data: the category catalogue, departments, areas (district → street → grid),
 * the working calendar and the city itself. A deployment supplies these as files
 * (data/cities/<city>/, see data/cities/README.md); admins may replace them over the API.
 * These schemas check one file's shape; cross-file checks (dangling ids) and polygon
 * validity are done by the API before anything is stored.
 *
 * Coordinates are GCJ-02 (what WeChat's getLocation({type:'gcj02'}) and <map> use),
 * and GeoJSON positions are [lng, lat].
 */

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Ids of departments, districts, streets, grids and the city: letters, digits, _ and -. */
export const cityDataIdSchema = z.string().regex(ID_PATTERN, '编号只能包含字母、数字、下划线和连字符（1–64 位）');
const nameSchema = z.string().trim().min(1, '名称不能为空').max(60, '名称最长 60 个字');

export const latitudeSchema = z.number().min(-90, '纬度应在 -90 到 90 之间').max(90, '纬度应在 -90 到 90 之间');
export const longitudeSchema = z.number().min(-180, '经度应在 -180 到 180 之间').max(180, '经度应在 -180 到 180 之间');

// ---------------------------------------------------------------- categories

export const CATEGORY_FAMILIES = ['component', 'event'] as const;
export type CategoryFamily = (typeof CATEGORY_FAMILIES)[number];
export const CATEGORY_FAMILY_NAMES_ZH: Record<CategoryFamily, string> = { component: '部件', event: '事件' };
const CATEGORY_ID_PREFIX: Record<CategoryFamily, string> = { component: 'C', event: 'E' };

/**
 * A category's id: 'C' (部件) or 'E' (事件) followed by its standard code, e.g. C0101
 * (上水井盖) and E0101 (私搭乱建). The family letter makes codes that both families
 * use (0101…) unique.
 */
export function categoryIdOf(family: CategoryFamily, code: string): string {
  return `${CATEGORY_ID_PREFIX[family]}${code}`;
}
export const categoryIdSchema = z.string().regex(/^[CE]\d{4,5}$/, '类别编号应为 C 或 E 加 4–5 位类别代码，如 C0101、E0102');

export const TIME_LIMIT_UNITS = ['urgent_hours', 'work_hours', 'work_days'] as const;
export type TimeLimitUnit = (typeof TIME_LIMIT_UNITS)[number];
/** urgent_hours are clock hours (紧急工作时); work_hours and work_days follow the working calendar. */
export const TIME_LIMIT_UNIT_NAMES_ZH: Record<TimeLimitUnit, string> = {
  urgent_hours: '紧急工作时',
  work_hours: '工作时',
  work_days: '工作日',
};

export const timeLimitSchema = z
  .object({
    value: z.number().positive('处置时限必须大于 0').max(1000, '处置时限过长'),
    unit: z.enum(TIME_LIMIT_UNITS),
  })
  .strict();
export type TimeLimit = z.infer<typeof timeLimitSchema>;

const categoryObject = z
  .object({
    id: categoryIdSchema,
    /** Standard code: major (2 digits) + minor (2 digits, CJ/T 214 / GB/T 30428.2) or (3 digits, newer series). */
    code: z.string().regex(/^\d{4,5}$/, '类别代码应为 4 位或 5 位数字（大类 2 位 + 小类 2–3 位）'),
    family: z.enum(CATEGORY_FAMILIES),
    majorCode: z.string().regex(/^\d{2}$/, '大类代码应为 2 位数字'),
    majorName: nameSchema,
    /** The minor category's name, e.g. 雨水井盖. */
    name: nameSchema,
    timeLimit: timeLimitSchema,
    defaultDepartmentId: cityDataIdSchema,
    /** False for internal-only categories that citizens cannot pick. */
    publicReportable: z.boolean(),
    /** Points a filed public report of this category earns before campaigns and duplicates. */
    basePoints: z.number().int().min(0).max(10_000),
    /** Extra search words, e.g. 井盖 on every manhole cover. */
    keywords: z.array(z.string().trim().min(1).max(20)).max(30).optional(),
    /** Higher comes first in lists ("most common first"); absent counts as 0. */
    popularity: z.number().min(0).max(1_000_000).optional(),
  })
  .strict();

export const categorySchema = categoryObject.superRefine((c, ctx) => {
  if (!c.code.startsWith(c.majorCode)) {
    ctx.addIssue({ code: 'custom', path: ['majorCode'], message: `大类代码应为类别代码 ${c.code} 的前两位` });
  }
  const expected = categoryIdOf(c.family, c.code);
  if (c.id !== expected) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: `类别编号应为 ${expected}（部件以 C、事件以 E 开头，后接类别代码）` });
  }
});
export type Category = z.infer<typeof categorySchema>;

/** categories.json and the body of PUT /admin/catalogue. */
export const categoriesFileSchema = z
  .array(categorySchema)
  .min(1, '类别目录不能为空')
  .max(5000)
  .superRefine((categories, ctx) => {
    const seen = new Set<string>();
    const majorNames = new Map<string, string>();
    categories.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `类别编号 ${c.id} 重复` });
      seen.add(c.id);
      const majorKey = `${c.family}:${c.majorCode}`;
      const majorName = majorNames.get(majorKey);
      if (majorName === undefined) majorNames.set(majorKey, c.majorName);
      else if (majorName !== c.majorName) {
        ctx.addIssue({ code: 'custom', path: [i, 'majorName'], message: `同一大类 ${c.majorCode} 的名称不一致（前面为「${majorName}」）` });
      }
    });
  });

/** A category as citizens and the mini-program see it (no routing internals). */
export const publicCategorySchema = categoryObject.omit({ defaultDepartmentId: true, popularity: true });
export type PublicCategory = z.infer<typeof publicCategorySchema>;

export const categoryMajorSchema = z.object({ family: z.enum(CATEGORY_FAMILIES), code: z.string(), name: z.string() });
export type CategoryMajor = z.infer<typeof categoryMajorSchema>;

/**
 * GET /categories: a flat list, most popular first, plus the majors (by family, then
 * code) that occur in it, so a client can group by `family` + `majorCode` itself.
 */
export const categoryListSchema = z.object({
  categories: z.array(publicCategorySchema),
  majors: z.array(categoryMajorSchema),
});
export type CategoryList = z.infer<typeof categoryListSchema>;

/** GET /categories query: ?family=component|event, ?q=井盖 (all words must match), ?public=true. */
export const categoryQuerySchema = z.object({
  family: z.enum(CATEGORY_FAMILIES, { error: 'family 只能是 component 或 event' }).optional(),
  q: z.string().trim().max(50, '搜索词最长 50 个字').optional(),
  public: z
    .enum(['true', 'false'], { error: 'public 只能是 true 或 false' })
    .transform((v) => v === 'true')
    .optional(),
});
export type CategoryQuery = z.output<typeof categoryQuerySchema>;

// ---------------------------------------------------------------- departments

export const DEPARTMENT_KINDS = ['owner', 'area'] as const;
/** owner: 专业部门/权属单位, by category; area: 属地 (e.g. 街道办事处), by area. */
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];
export const DEPARTMENT_KIND_NAMES_ZH: Record<DepartmentKind, string> = { owner: '专业部门', area: '属地单位' };

export const departmentSchema = z
  .object({
    id: cityDataIdSchema,
    name: nameSchema,
    kind: z.enum(DEPARTMENT_KINDS),
    /** Categories it also owns, besides those naming it as defaultDepartmentId. */
    categories: z.array(categoryIdSchema).max(5000).optional(),
    /** District, street or grid ids it is responsible for (required for kind 'area'; limits an owner to those areas). */
    areaIds: z.array(cityDataIdSchema).max(5000).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.kind === 'area' && !d.areaIds?.length) {
      ctx.addIssue({ code: 'custom', path: ['areaIds'], message: '属地单位必须列出负责的区域' });
    }
  });
export type Department = z.infer<typeof departmentSchema>;

/** departments.json and the body of PUT /admin/departments. */
export const departmentsFileSchema = z
  .array(departmentSchema)
  .min(1, '部门列表不能为空')
  .max(5000)
  .superRefine((departments, ctx) => {
    const seen = new Set<string>();
    departments.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `部门编号 ${d.id} 重复` });
      seen.add(d.id);
    });
  });

export const publicDepartmentSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(DEPARTMENT_KINDS) });
export type PublicDepartment = z.infer<typeof publicDepartmentSchema>;
export const departmentListSchema = z.object({ departments: z.array(publicDepartmentSchema) });

// ---------------------------------------------------------------- areas (GeoJSON)

/** [lng, lat] in GCJ-02; a third (altitude) value is allowed and ignored. */
export const positionSchema = z.tuple([longitudeSchema, latitudeSchema], z.number());
export type Position = z.infer<typeof positionSchema>;

/** A closed linear ring: at least 4 positions, the last equal to the first. */
export const linearRingSchema = z
  .array(positionSchema)
  .min(4, '环至少需要 4 个坐标点（首尾相同）')
  .max(100_000)
  .superRefine((ring, ctx) => {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) {
      ctx.addIssue({ code: 'custom', message: '环未闭合：最后一个坐标点必须与第一个相同' });
    }
  });
/** Outer ring first, then holes. */
export const polygonCoordinatesSchema = z.array(linearRingSchema).min(1, '多边形至少需要一个外环').max(1000);

export const gridGeometrySchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: polygonCoordinatesSchema }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonCoordinatesSchema).min(1).max(1000) }),
  ],
  { error: '网格几何必须是 Polygon 或 MultiPolygon' },
);
export type GridGeometry = z.infer<typeof gridGeometrySchema>;

export const gridPropertiesSchema = z.object({
  gridId: cityDataIdSchema,
  gridName: nameSchema,
  streetId: cityDataIdSchema,
  streetName: nameSchema,
  districtId: cityDataIdSchema,
  districtName: nameSchema,
});
export type GridProperties = z.infer<typeof gridPropertiesSchema>;

export const gridFeatureSchema = z.object({
  type: z.literal('Feature'),
  geometry: gridGeometrySchema,
  properties: gridPropertiesSchema,
});
export type GridFeature = z.infer<typeof gridFeatureSchema>;

/**
 * areas.geojson and the body of PUT /admin/areas: one feature per grid. Other
 * members GIS tools add (crs, name, bbox, extra properties) are ignored.
 */
export const areasFileSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(gridFeatureSchema).min(1, '至少需要一个网格').max(200_000),
});
export type AreasFile = z.infer<typeof areasFileSchema>;

/** GET /staff/areas: every grid's boundary (GCJ-02), for the staff console's map; empty before any city data. */
export const gridBoundariesSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(gridFeatureSchema),
});
export type GridBoundaries = z.infer<typeof gridBoundariesSchema>;

const areaRefSchema = z.object({ id: z.string(), name: z.string() });
export type AreaRef = z.infer<typeof areaRefSchema>;

/** GET /areas/locate. */
export const locateResultSchema = z.object({ grid: areaRefSchema, street: areaRefSchema, district: areaRefSchema });
export type LocateResult = z.infer<typeof locateResultSchema>;

/** A coordinate in a query string: digits only, so an empty or odd value is a 400 rather than 0. */
export const coordinateFromQuery = (name: 'lat' | 'lng', min: number, max: number) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `缺少${name === 'lat' ? '纬度' : '经度'} ${name}` : `${name} 只能提供一个值`),
    })
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, `${name} 必须是数字`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} 应在 ${min} 到 ${max} 之间`).max(max, `${name} 应在 ${min} 到 ${max} 之间`));

/** GET /areas/locate?lat=&lng= (GCJ-02). */
export const locateQuerySchema = z.object({
  lat: coordinateFromQuery('lat', -90, 90),
  lng: coordinateFromQuery('lng', -180, 180),
});

/** GET /geo/reverse: the street address at a position, null when no geocoding provider is configured. */
export const reverseGeocodeSchema = z.object({ address: z.string().nullable() });
export type ReverseGeocode = z.infer<typeof reverseGeocodeSchema>;

/** GET /areas: the district → street → grid tree for pickers; `centroid` is a point inside the grid. */
export const areaTreeSchema = z.object({
  districts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      streets: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          grids: z.array(z.object({ id: z.string(), name: z.string(), centroid: z.object({ lat: z.number(), lng: z.number() }) })),
        }),
      ),
    }),
  ),
});
export type AreaTree = z.infer<typeof areaTreeSchema>;

// ---------------------------------------------------------------- calendar

const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const timeOfDaySchema = z.string().regex(TIME_PATTERN, '时间格式应为 HH:MM');

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
export const calendarDateSchema = z.string().refine(isCalendarDate, '日期格式应为 YYYY-MM-DD 且是真实日期');

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The working calendar deadlines are counted in. A day is a working day when it is
 * listed in extraWorkdays (调休上班), or it is Monday–Friday and not in holidays.
 * Times are local to `timezone` (China uses one time zone).
 */
export const calendarSchema = z
  .object({
    timezone: z.literal('Asia/Shanghai', { error: '时区只支持 Asia/Shanghai' }),
    /** Working periods of a working day, in order, not overlapping. */
    workingHours: z
      .array(z.object({ start: timeOfDaySchema, end: timeOfDaySchema }).strict())
      .min(1, '至少需要一个工作时段')
      .max(6),
    /** Days off that would otherwise be working days (weekend days in a break may be listed too). */
    holidays: z.array(calendarDateSchema).max(5000),
    /** Weekend days that are working days (调休). */
    extraWorkdays: z.array(calendarDateSchema).max(1000),
    /** Where the dates come from and what still needs checking. */
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((cal, ctx) => {
    let previousEnd = -1;
    cal.workingHours.forEach((period, i) => {
      if (!TIME_PATTERN.test(period.start) || !TIME_PATTERN.test(period.end)) return;
      const [start, end] = [minutesOf(period.start), minutesOf(period.end)];
      if (start >= end) ctx.addIssue({ code: 'custom', path: ['workingHours', i, 'end'], message: '结束时间必须晚于开始时间' });
      else if (start < previousEnd) {
        ctx.addIssue({ code: 'custom', path: ['workingHours', i, 'start'], message: '工作时段必须按时间顺序排列且不重叠' });
      }
      previousEnd = Math.max(previousEnd, end);
    });
    const holidays = new Set<string>();
    cal.holidays.forEach((day, i) => {
      if (holidays.has(day)) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `日期 ${day} 重复` });
      holidays.add(day);
    });
    const extra = new Set<string>();
    cal.extraWorkdays.forEach((day, i) => {
      if (extra.has(day)) ctx.addIssue({ code: 'custom', path: ['extraWorkdays', i], message: `日期 ${day} 重复` });
      else if (holidays.has(day)) {
        ctx.addIssue({ code: 'custom', path: ['extraWorkdays', i], message: `日期 ${day} 同时列在节假日中` });
      }
      extra.add(day);
    });
  });
export type Calendar = z.infer<typeof calendarSchema>;

// ---------------------------------------------------------------- city

/** city.json; GET /city. */
export const citySchema = z
  .object({
    id: cityDataIdSchema,
    name: nameSchema,
    /** Where maps open, GCJ-02. */
    center: z.object({ lat: latitudeSchema, lng: longitudeSchema }).strict(),
    /** The only coordinate system the city data may use. */
    coordinateSystem: z.literal('gcj02', { error: '坐标系只支持 gcj02' }).default('gcj02'),
  })
  .strict();
export type City = z.infer<typeof citySchema>;

/** The datums map tiles come in: gcj02 (AutoNavi, Tencent; the product's own) or wgs84 (Tianditu's CGCS2000, OpenStreetMap). */
export const MAP_TILE_DATUMS = ['gcj02', 'wgs84'] as const;
export type MapTileDatum = (typeof MAP_TILE_DATUMS)[number];

/**
 * GET /city: the city, and the deployment's map tiles (a Leaflet URL template) with their
 * datum: a map over wgs84 tiles converts the product's GCJ-02 positions (shared/src/geo.ts).
 */
export const cityAnswerSchema = citySchema.extend({
  mapTiles: z.object({ url: z.string(), subdomains: z.string(), datum: z.enum(MAP_TILE_DATUMS) }),
});
export type CityAnswer = z.infer<typeof cityAnswerSchema>;

const zhCN = z.locales.zhCN();
/**
 * Parses city data as the API does (zod's own messages in Chinese), so an editor checking
 * before sending shows the message the API would answer.
 */
export function safeParseCityData<S extends z.ZodType>(schema: S, input: unknown) {
  return schema.safeParse(input, { error: zhCN.localeError });
}

/** Answer of the admin PUT endpoints. */
export const cityDataReplaceResultSchema = z.object({ version: z.number().int(), count: z.number().int() });
export type CityDataReplaceResult = z.infer<typeof cityDataReplaceResultSchema>;

/**
 * The version of one part of the city data (categories, departments, areas, calendar) as an
 * admin GET answers it: it changes whenever that part is replaced; 0 before any data.
 */
export const cityDataVersionSchema = z.number().int().min(0);

/**
 * Query of the admin PUT endpoints: `baseVersion`, the version the editor read. When the part
 * was replaced since, the API answers 409 CONFLICT instead of overwriting someone else's edit.
 */
export const cityDataReplaceQuerySchema = z.object({
  baseVersion: z
    .string()
    .regex(/^\d{1,15}$/, 'baseVersion 必须是非负整数')
    .transform(Number)
    .optional(),
});
export type CityDataReplaceQuery = z.output<typeof cityDataReplaceQuerySchema>;

/** GET /admin/areas: the areas file with its version (a foreign member GeoJSON allows). */
export const areasDataSchema = areasFileSchema.extend({ version: cityDataVersionSchema });
export type AreasData = z.infer<typeof areasDataSchema>;

/** GET and PUT /admin/calendar. */
export const calendarDataSchema = z.object({ calendar: calendarSchema, version: cityDataVersionSchema });
export type CalendarData = z.infer<typeof calendarDataSchema>;
