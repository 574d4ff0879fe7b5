import type { OpenApiDocument, OpenApiOperation } from '@ssp/shared';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ROLE_NAMES: Record<string, string> = {
  public: '公开',
  signed: '签名回调',
  citizen: '市民',
  operator: '受理员',
  dispatcher: '派遣员',
  department: '处置部门',
  supervisor: '监督员',
  publicity: '宣传人员',
  admin: '管理员',
};

function accessText(access: OpenApiOperation['x-access']): string {
  return (Array.isArray(access) ? access : [access]).map((a) => ROLE_NAMES[a] ?? a).join('、');
}

function schemaBlock(schema: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function operationHtml(method: string, path: string, op: OpenApiOperation): string {
  const parameters = op.parameters?.length
    ? `<h4>参数</h4><table><tr><th>名称</th><th>位置</th><th>必填</th><th>格式</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? '是' : '否'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('')}</table>`
    : '';
  const body = op.requestBody
    ? `<h4>请求体${op.requestBody.required ? '' : '（可省略）'}</h4>${Object.entries(op.requestBody.content)
        .map(([type, c]) => `<p><code>${escapeHtml(type)}</code></p>${schemaBlock(c.schema)}`)
        .join('')}`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {})
        .map(([type, c]) => `<p><code>${escapeHtml(type)}</code></p>${schemaBlock(c.schema)}`)
        .join('');
      return `<details><summary><b>${escapeHtml(status)}</b> ${escapeHtml(r.description)}</summary>${content}</details>`;
    })
    .join('');
  return `<section class="op" id="${escapeHtml(op.operationId)}">
<details><summary><span class="m m-${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> ${escapeHtml(op.summary)} <span class="who">${escapeHtml(accessText(op['x-access']))}</span></summary>
${parameters}${body}<h4>响应</h4>${responses}</details></section>`;
}

/** A readable, dependency-free page of the OpenAPI document (no scripts, works offline). */
export function renderDocsPage(document: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const sections = document.tags
    .filter((t) => byTag.has(t.name))
    .map((t) => `<h2 id="tag-${t.name}">${escapeHtml(t.description)} <small>${escapeHtml(t.name)}</small></h2>${byTag.get(t.name)!.join('\n')}`)
    .join('\n');
  const toc = document.tags.map((t) => `<a href="#tag-${t.name}">${escapeHtml(t.description)}</a>`).join(' · ');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} 接口文档</title>
<style>
body{font:14px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:1100px;margin:0 auto;padding:16px;color:#222}
h1{margin-bottom:0}h2{margin-top:32px;border-bottom:1px solid #ddd}h2 small{color:#888;font-weight:normal}
.op{border:1px solid #e3e3e3;border-radius:6px;margin:6px 0;padding:6px 10px}.op summary{cursor:pointer}
.m{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font-weight:bold;font-size:12px}
.m-get{background:#2f80ed}.m-post{background:#27ae60}.m-put{background:#e2a300}.m-patch{background:#9b51e0}.m-delete{background:#eb5757}
.who{float:right;color:#666;font-size:12px}pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:360px;font-size:12px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;font-size:12px}
</style></head><body>
<h1>${escapeHtml(document.info.title)}</h1><p>版本 ${escapeHtml(document.info.version)} · OpenAPI ${document.openapi} · <a href="openapi.json">openapi.json</a></p>
<pre style="white-space:pre-wrap;background:none;padding:0">${escapeHtml(document.info.description)}</pre>
<nav>${toc}</nav>
${sections}
</body></html>`;
}
