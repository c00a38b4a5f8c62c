import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabValidationError } from './labError.js';
import { loadLabs, parseLab } from './loadLab.js';
import { issuesOf, lab, minimalLab } from './testing.js';

describe('parseLab', () => {
  it('parses a valid minimalLab lab and applies the defaults', () => {
    const { spec, file } = parseLab(lab(), 'labs/baseline.yaml');
    expect(file).toBe('labs/baseline.yaml');
    expect(spec.pki['corp-root']).toEqual({
      ca: true,
      key: 'ecdsa-p256',
      san: [],
      eku: [],
      validity: { notBefore: '-1h' },
      revoked: false,
    });
    expect(spec.services['auth']).toMatchObject({ stack: 'node', chain: 'full', clientAuth: 'require', mode: 'strict', latencyMs: 0 });
    expect(spec.clients['payments']).toMatchObject({
      protocol: 'tls',
      path: '/',
      rps: 5,
      pool: { keepAlive: true, maxSockets: 8, timeoutMs: 2000, sessionResumption: true },
    });
    expect(spec.faults).toEqual([]);
    expect(spec.scenario.hints).toEqual([]);
  });

  it('locates a value by its path', () => {
    const doc = parseLab(lab(), 'labs/baseline.yaml');
    expect(doc.locate(['services', 'auth', 'trust', 0])).toEqual({ line: 10, column: 60 });
  });

  it('locates the key that names a value when asked for the key', () => {
    const doc = parseLab(lab(), 'labs/baseline.yaml');
    expect(doc.locate(['services', 'auth', 'trust'], 'key')).toEqual({ line: 10, column: 52 });
  });

  it('locates the nearest written parent for a default the author never wrote', () => {
    const doc = parseLab(lab(), 'labs/baseline.yaml');
    expect(doc.locate(['clients', 'payments', 'pool', 'maxSockets'])).toEqual({ line: 12, column: 13 });
  });

  it('reports a YAML syntax error at the line and column yaml gives', () => {
    const issues = issuesOf(lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }}' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 10, column: 72, path: '' });
    expect(issues[0]?.message).toMatch(/^invalid YAML: /);
  });

  it('reports a duplicate top-level key at its second appearance, naming it', () => {
    const issues = issuesOf(lab({ 4: 'minutes: 5\nminutes: 6' }));
    expect(issues).toEqual([
      { file: 'labs/test.yaml', line: 5, column: 1, path: 'minutes', message: 'duplicate key "minutes"; a key may appear once in a map' },
    ]);
  });

  it('reports a duplicate nested key with its path', () => {
    const issues = issuesOf(lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, cert: auth-server }' }));
    expect(issues).toEqual([
      expect.objectContaining({ line: 10, column: 52, path: 'services.auth.cert', message: 'duplicate key "cert"; a key may appear once in a map' }),
    ]);
  });

  it('reports an alias to an anchor that was never set at the alias', () => {
    const issues = issuesOf(lab({ 14: '  symptom: *green' }));
    expect(issues).toEqual([
      expect.objectContaining({ line: 14, column: 12, message: 'invalid YAML: *green refers to no anchor; set &green before using it' }),
    ]);
  });

  it('reports a second YAML document as one issue at its start', () => {
    const issues = issuesOf(lab({ 18: '  explain: Nothing is wrong.\n---\nid: second' }));
    expect(issues).toEqual([
      expect.objectContaining({ line: 19, column: 1, message: 'a lab file holds one YAML document; remove the second "---" or split the file' }),
    ]);
  });

  it('reports an empty file as one issue at its start', () => {
    expect(issuesOf('# nothing yet\n')).toEqual([
      { file: 'labs/test.yaml', line: 1, column: 1, path: '', message: 'the file is empty; a lab starts with "id:"' },
    ]);
  });

  it('reports an unknown top-level key at the key, with the field it was meant to be', () => {
    const issues = issuesOf(lab({ 4: 'minutes: 5\ntag: [expiry]' }));
    expect(issues).toEqual([
      {
        file: 'labs/test.yaml',
        line: 5,
        column: 1,
        path: 'tag',
        message: 'unknown field "tag"',
        suggestion: 'did you mean "tags"?',
      },
    ]);
  });

  it('reports a misspelt nested field at its key with a suggestion', () => {
    const issues = issuesOf(lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trsut: [corp-root] }' }));
    expect(issues).toEqual([
      {
        file: 'labs/test.yaml',
        line: 10,
        column: 52,
        path: 'services.auth.trsut',
        message: 'unknown field "trsut"',
        suggestion: 'did you mean "trust"?',
      },
    ]);
  });

  it('lists the known fields when an unknown one resembles none of them', () => {
    const issues = issuesOf(lab({ 10: '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], colour: red }' }));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 10,
        column: 72,
        path: 'services.auth.colour',
        message:
          'unknown field "colour" (known: host, stack, cert, key, loaded, chain, clientAuth, trust, clockOffset, mode, latencyMs, maxConnections, tls, allow, certRequestSigalgs)',
      }),
    ]);
    expect(issues[0]?.suggestion).toBeUndefined();
  });

  it('quotes a wrong enum value and lists the allowed ones', () => {
    const issues = issuesOf(lab({ 3: 'level: expert' }));
    expect(issues).toEqual([
      {
        file: 'labs/test.yaml',
        line: 3,
        column: 8,
        path: 'level',
        message: 'expected one of "beginner", "intermediate", "advanced" but found "expert"',
      },
    ]);
  });

  it('suggests the enum value a near miss was meant to be', () => {
    const issues = issuesOf(lab({ 7: '  auth-server: { issuer: corp-root, san: [dns:auth.corp.test], eku: [serverauth] }' }));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 7,
        column: 70,
        path: 'pki.auth-server.eku[0]',
        message: 'expected one of "serverAuth", "clientAuth" but found "serverauth"',
        suggestion: 'did you mean "serverAuth"?',
      }),
    ]);
  });

  it('points a missing required field at the object it is missing from', () => {
    const issues = issuesOf(lab({ 10: '  auth: { host: auth.corp.test, trust: [corp-root] }' }));
    expect(issues).toEqual([
      { file: 'labs/test.yaml', line: 10, column: 9, path: 'services.auth', message: 'missing required field "cert"' },
    ]);
  });

  it('points a missing top-level section at the document', () => {
    const text = minimalLab.slice(0, 12).join('\n') + '\n';
    expect(issuesOf(text)).toEqual([
      { file: 'labs/test.yaml', line: 1, column: 1, path: '', message: 'missing required field "scenario"' },
    ]);
  });

  it('says which type was expected and quotes the value found', () => {
    const issues = issuesOf(lab({ 4: 'minutes: "5"' }));
    expect(issues).toEqual([
      { file: 'labs/test.yaml', line: 4, column: 10, path: 'minutes', message: 'expected a number but found "5"' },
    ]);
  });

  it('reports a range violation with the bound and the value', () => {
    const issues = issuesOf(lab({ 4: 'minutes: 0' }));
    expect(issues).toEqual([
      { file: 'labs/test.yaml', line: 4, column: 10, path: 'minutes', message: 'expected at least 1 but found 0' },
    ]);
  });

  it('uses the schema’s own wording for a value that breaks a pattern', () => {
    const issues = issuesOf(lab({ 7: '  auth-server: { issuer: corp-root, san: [auth.corp.test], eku: [serverAuth] }' }));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 7,
        column: 43,
        path: 'pki.auth-server.san[0]',
        message: 'expected a SAN like "dns:auth.corp.test" or "uri:spiffe://…" but found "auth.corp.test"',
      }),
    ]);
  });

  it('reports a badly formed certificate name at its key', () => {
    const issues = issuesOf(lab({ 6: '  corp-root: { ca: true }\n  Partner_Root: { ca: true }' }));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 7,
        column: 3,
        path: 'pki.Partner_Root',
        message: `found "Partner_Root", but certificate names are lower-case words joined by '-', like "corp-root"`,
      }),
    ]);
  });

  it('reports an empty value at its key as nothing found', () => {
    const issues = issuesOf(lab({ 14: '  symptom:' }));
    expect(issues).toEqual([
      { file: 'labs/test.yaml', line: 14, column: 3, path: 'scenario.symptom', message: 'expected text but found nothing' },
    ]);
  });

  it('suggests quoting text that an unquoted colon turned into a map', () => {
    const issues = issuesOf(lab({ 18: '  explain: Nothing is wrong.\n  hints:\n    - Note: read the alert' }));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 20,
        column: 7,
        path: 'scenario.hints[0]',
        message: 'expected text but found a map',
        suggestion: 'put the text in quotes; an unquoted ": " starts a map',
      }),
    ]);
  });

  it('reports every schema problem in a file, in the order of the file', () => {
    const issues = issuesOf(
      lab({
        3: 'level: expert',
        4: 'minutes: 0',
        10: '  auth: { host: auth.corp.test, cert: auth-server, trsut: [corp-root] }',
      }),
    );
    expect(issues.map(({ line, column, path }) => `${line}:${column} ${path}`)).toEqual([
      '3:8 level',
      '4:10 minutes',
      '10:52 services.auth.trsut',
    ]);
  });

  it('formats its message as one mkcert-style line per issue', () => {
    let message = '';
    try {
      parseLab(lab({ 3: 'level: expert', 10: '  auth: { host: auth.corp.test, cert: auth-server, trsut: [corp-root] }' }), 'labs/test.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'ERROR: labs/test.yaml:3:8 level: expected one of "beginner", "intermediate", "advanced" but found "expert"',
        'ERROR: labs/test.yaml:10:52 services.auth.trsut: unknown field "trsut"; did you mean "trust"?',
      ].join('\n'),
    );
  });
});

describe('loadLabs', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mtls-lab-labs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every .yaml file in the folder, in name order, and nothing else', async () => {
    await writeFile(join(dir, 'b.yaml'), lab({ 1: 'id: second' }));
    await writeFile(join(dir, 'a.yaml'), lab({ 1: 'id: first' }));
    await writeFile(join(dir, 'notes.md'), '# not a lab\n');
    const labs = await loadLabs(dir);
    expect(labs.map((doc) => doc.spec.id)).toEqual(['first', 'second']);
  });

  it('reports the problems of every file in one error', async () => {
    await writeFile(join(dir, 'a.yaml'), lab({ 1: 'id: first', 3: 'level: expert' }));
    await writeFile(join(dir, 'b.yaml'), lab({ 1: 'id: second', 4: 'minutes: 0' }));
    const error = await loadLabs(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabValidationError);
    expect((error as LabValidationError).issues.map(({ file, line }) => `${file}:${line}`)).toEqual([
      `${join(dir, 'a.yaml')}:3`,
      `${join(dir, 'b.yaml')}:4`,
    ]);
  });

  it('reports a lab id used twice at the second file’s id', async () => {
    await writeFile(join(dir, 'a.yaml'), lab());
    await writeFile(join(dir, 'b.yaml'), lab());
    const error = await loadLabs(dir).catch((caught: unknown) => caught);
    expect((error as LabValidationError).issues).toEqual([
      {
        file: join(dir, 'b.yaml'),
        line: 1,
        column: 5,
        path: 'id',
        message: `lab id "baseline" is already used by ${join(dir, 'a.yaml')}`,
        suggestion: 'give each lab its own id',
      },
    ]);
  });
});
