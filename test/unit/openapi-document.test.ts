import { beforeAll, describe, expect, it } from 'vitest';
import { holdPointId } from '../../contracts/nanocycle.js';
import { offlineApi } from '../support/offline-api.js';

/**
 * The OpenAPI document as served, read as a client reads it. The document is generated without
 * touching the database or Temporal, so the app is built with neither (as in
 * mission-control-auth.test.ts). What the live API actually answers is checked against this
 * document by the fuzz test (test/integration/api-fuzz.test.ts).
 */
const TOKEN = 'openapi-unit-token';
const app = offlineApi(TOKEN);

interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema: { pattern?: string; example?: string } }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<
    string,
    {
      content?: Record<string, { schema: unknown }>;
      links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
    }
  >;
}

let doc: any;
const operations: Array<{ method: string; path: string; op: Operation }> = [];
const byId = (id: string) => operations.find((o) => o.op.operationId === id);

beforeAll(async () => {
  const reply = await app.request('/openapi.json', { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(reply.status).toBe(200);
  doc = await reply.json();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(item)) operations.push({ method, path, op });
  }
});

/** Every `pattern` anywhere in the document, with where it is. */
function patterns(node: unknown, where = '#', found: Array<{ where: string; pattern: string }> = []) {
  if (Array.isArray(node)) for (const [i, n] of node.entries()) patterns(n, `${where}/${i}`, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') found.push({ where, pattern: value });
      else patterns(value, `${where}/${key}`, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('gives every operation an operationId', () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const { op } of operations) expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(operations.map((o) => o.op.operationId)).size).toBe(operations.length);
  });

  it('documents the statuses every route can answer, each as problem+json', () => {
    for (const { method, path, op } of operations) {
      const statuses = Object.keys(op.responses);
      const secured = !(Array.isArray(op.security) && op.security.length === 0);
      const expected = [
        '431',
        '500',
        ...(secured ? ['401'] : []),
        ...(op.parameters?.length || op.requestBody ? ['400'] : []),
        ...(path.includes('{') ? ['404'] : []),
      ];
      if (['post', 'put', 'patch', 'delete'].includes(method)) expected.push('403', '413');
      expect({ route: `${method} ${path}`, statuses }).toEqual({
        route: `${method} ${path}`,
        statuses: expect.arrayContaining(expected),
      });
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect(op.responses[status]!.content).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
    }
    // Routes behind the database or Temporal can be refused for want of them.
    expect(Object.keys(byId('getSessionsById')!.op.responses)).toContain('503');
    expect(Object.keys(byId('getHealth')!.op.responses)).not.toContain('503');
    // Capability refusals on reads, and the JSON body's media type.
    for (const id of ['getSessionsByIdFiles', 'getSessionsByIdMemory', 'getSessionsByIdReview'])
      expect(Object.keys(byId(id)!.op.responses)).toContain('403');
    expect(Object.keys(byId('postProjects')!.op.responses)).toContain('415');
  });

  it('documents Idempotency-Key on every state-changing operation, with its 409 and 422', () => {
    const writes = operations.filter((o) => ['post', 'put', 'patch', 'delete'].includes(o.method));
    expect(writes.length).toBeGreaterThan(10);
    for (const { method, path, op } of writes) {
      const header = op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect({ route: `${method} ${path}`, pattern: header?.schema.pattern }).toEqual({
        route: `${method} ${path}`,
        pattern: '^[!-~]{1,255}$',
      });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422', '503']));
    }
    expect(
      operations
        .filter((o) => o.method === 'get')
        .some((o) => o.op.parameters?.some((p) => p.name === 'Idempotency-Key')),
    ).toBe(false);
    expect(doc.paths['/sessions/{id}/nanocycles'].post.responses['422'].description).toContain(
      'idempotency-key-reused',
    );
  });

  it('has only patterns that are valid ECMAScript regular expressions, and path examples match their own pattern', () => {
    const all = patterns(doc);
    expect(all.length).toBeGreaterThan(5);
    for (const { where, pattern } of all) {
      expect(() => new RegExp(pattern, 'u'), `${where}: ${pattern}`).not.toThrow();
      // A JS regex with flags used to be emitted as "…$/i": an anchor followed by text never matches.
      expect(pattern, where).not.toMatch(/\$\/[a-z]*$/);
    }
    for (const { op } of operations) {
      for (const p of op.parameters ?? []) {
        if (p.schema.pattern && p.schema.example !== undefined)
          expect(
            new RegExp(p.schema.pattern, 'u').test(p.schema.example),
            `${op.operationId} ${p.name}`,
          ).toBe(true);
      }
    }
    const hp = byId('postSessionsByIdHoldsByHpApprove')!.op.parameters!.find((p) => p.name === 'hp')!;
    for (const id of [
      holdPointId('NC-001', 'merge'),
      holdPointId('NC-012', 'agent', 2),
      holdPointId('NC-001', 'conflict', 1),
    ]) {
      expect(new RegExp(hp.schema.pattern!, 'u').test(id), id).toBe(true);
    }
  });

  it('says what the refinements say: a nanocycle needs a goal or run steps, bounded repositories, branches, preferences', () => {
    const schemas = doc.components.schemas;
    expect(schemas.NanocycleCreate.anyOf).toEqual([{ required: ['goal'] }, { required: ['run'] }]);
    const project = schemas.ProjectCreate.properties;
    expect(project.repository).toMatchObject({
      minLength: 1,
      maxLength: 2048,
      pattern: expect.any(String),
      description: expect.stringContaining('transport::address'),
    });
    expect(project.defaultBranch).toMatchObject({
      minLength: 1,
      maxLength: 200,
      pattern: expect.any(String),
    });
    expect(project.preferences).toMatchObject({
      maxProperties: 100,
      propertyNames: { pattern: expect.any(String) },
    });
    const branch = new RegExp(project.defaultBranch.pattern, 'u');
    for (const ok of ['main', 'feat/nc-007-auth', 'release-1.2']) expect(branch.test(ok), ok).toBe(true);
    for (const bad of ['-x', '/x', 'x/', 'x.', 'a b', 'a:b', '.x']) expect(branch.test(bad), bad).toBe(false);
    const repository = new RegExp(project.repository.pattern, 'u');
    for (const ok of [
      '/srv/repo.git',
      'https://example.test/r.git',
      'HTTPS://example.test/r',
      'git@host:r.git',
      'file:///srv/r.git',
      'ssh://git@host/r',
    ])
      expect(repository.test(ok), ok).toBe(true);
    for (const bad of ['-oProxyCommand=x', 'a b', 'x\ny', 'ext::sh -c x', 'relative/path', 'ftp://host/r'])
      expect(repository.test(bad), bad).toBe(false);
  });

  it('names the media types that are not JSON: event streams, raw files, Markdown', () => {
    for (const id of [
      'getSessionsByIdEventsStream',
      'getSessionsByIdOutputStream',
      'getSessionsByIdNanocyclesByNcLogsStream',
    ]) {
      expect(Object.keys(byId(id)!.op.responses['200']!.content!)).toEqual(['text/event-stream']);
    }
    expect(Object.keys(byId('getSessionsByIdFiles')!.op.responses['200']!.content!).sort()).toEqual([
      'application/json',
      'application/octet-stream',
    ]);
    expect(Object.keys(byId('putSessionsByIdFiles')!.op.requestBody!.content)).toEqual([
      'application/octet-stream',
    ]);
    expect(Object.keys(byId('getSessionsByIdSummary')!.op.responses['200']!.content!).sort()).toEqual([
      'application/json',
      'text/markdown',
    ]);
  });

  it('links created and listed ids to the operations that take them, by names and parameters that exist', () => {
    let links = 0;
    for (const { op } of operations) {
      for (const response of Object.values(op.responses)) {
        for (const link of Object.values(response.links ?? {})) {
          links += 1;
          const target = byId(link.operationId);
          expect(target, link.operationId).toBeDefined();
          const pathParams = (target!.op.parameters ?? [])
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort();
          expect(Object.keys(link.parameters).sort(), `${op.operationId} → ${link.operationId}`).toEqual(
            pathParams,
          );
        }
      }
    }
    expect(links).toBeGreaterThan(20);
    expect(byId('postSessions')!.op.responses['201']!.links!.getSessionsById).toEqual({
      operationId: 'getSessionsById',
      parameters: { id: '$response.body#/id' },
    });
    expect(
      byId('postSessionsByIdNanocycles')!.op.responses['201']!.links!.getSessionsByIdNanocyclesByNcDiff!
        .parameters,
    ).toEqual({ id: '$request.path.id', nc: '$response.body#/id' });
  });
});
