import type { FormInstance } from 'antd';
import { ApiRequestError } from '@ssp/shared';

/**
 * Puts each problem on its field: the shared schema's issues before sending, the API's
 * VALIDATION_FAILED/CONFLICT details after. Answers whether any landed on a field of the form.
 */
export function showFieldErrors(form: FormInstance, problems: { field: string; message: string }[], fields: readonly string[]): boolean {
  const onFields = problems.filter((p) => fields.includes(p.field));
  form.setFields(
    fields.map((name) => ({
      name,
      errors: onFields.filter((p) => p.field === name).map((p) => p.message),
    })),
  );
  return onFields.length > 0;
}

/** The schema's issues, one per field (the first). */
export function schemaProblems(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
}

/** The API's details of a refused call, as field problems. */
export function apiProblems(e: unknown): { field: string; message: string }[] {
  if (!(e instanceof ApiRequestError)) return [];
  return e.details.map((d) => ({ field: (d.field ?? '').split(/[.[]/)[0] ?? '', message: d.issue }));
}

/** Takes the problems off the fields just edited (Form onValuesChange). */
export function clearErrors(form: FormInstance, changed: object): void {
  form.setFields(Object.keys(changed).map((name) => ({ name, errors: [] })));
}
