// City data (categories, areas, departments, calendar) schemas: filled in by the catalogue domain.
export {};
