import { parseFilter, parsePatchPath, toAttrPath } from '../../../src/http/scim/filter.js';

const path = (attr: string, sub: string | null = null, schema: string | null = null) => ({ schema, attr, sub });
const eq = (attr: string, value: unknown, sub: string | null = null) => ({ kind: 'compare', path: path(attr, sub), op: 'eq', value });

describe('SCIM filter parser (RFC 7644 §3.4.2.2)', () => {
  it('precedence: and binds tighter than or; not applies to its group as a whole', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({ kind: 'or', left: eq('a', '1'), right: { kind: 'and', left: eq('b', '2'), right: eq('c', '3') } });
    expect(parseFilter('not (a eq "x" or b eq "y")')).toEqual({ kind: 'not', filter: { kind: 'or', left: eq('a', 'x'), right: eq('b', 'y') } });
    expect(parseFilter('((a eq "x"))')).toEqual(eq('a', 'x'));
  });

  it('attribute names and keywords are case-insensitive; URNs split into schema and attribute', () => {
    expect(parseFilter('DisplayName EQ "Sales"')).toEqual(eq('displayname', 'Sales'));
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "US1"')).toEqual({
      kind: 'compare', path: path('manager', 'value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user'), op: 'eq', value: 'US1',
    });
    expect(toAttrPath('name.givenName')).toEqual(path('name', 'givenname'));
  });

  it('values: JSON strings with escapes, unquoted words (Okta, Entra), true/false/null keywords', () => {
    expect(parseFilter('userName eq "a\\"b\\\\c"')).toEqual(eq('username', 'a"b\\c'));
    expect(parseFilter('userName eq bob@corp.com')).toEqual(eq('username', 'bob@corp.com'));
    expect(parseFilter('externalId eq 00123')).toEqual(eq('externalid', '00123'));
    expect(parseFilter('active eq True')).toEqual(eq('active', true));
    expect(parseFilter('title eq null')).toEqual(eq('title', null));
    expect(parseFilter('title pr')).toEqual({ kind: 'present', path: path('title') });
  });

  it('value paths: emails[type eq "work"].value eq "x" is about one element', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x"')).toEqual({
      kind: 'has', path: path('emails'), filter: { kind: 'and', left: eq('type', 'work'), right: eq('value', 'x') },
    });
    expect(parseFilter('emails[type eq "work" and not (value co "@x")]')).toMatchObject({ kind: 'has', filter: { kind: 'and', right: { kind: 'not' } } });
  });

  it.each(['', '   ', 'a', 'a eq', 'a xx 1', '(a eq 1', 'a eq 1)', 'a eq 1 and', 'a[b eq 1', 'a[b[c eq 1]]', '"a" eq 1', 'a eq "x', 'not', 'a.b.c eq 1',
    `${'('.repeat(40)}a eq 1${')'.repeat(40)}`, 'x'.repeat(5000)])('rejects %j with invalidFilter', (text) => {
    expect(() => parseFilter(text)).toThrow(expect.objectContaining({ code: 'scim_invalid_filter' }));
  });

  it('PATCH paths', () => {
    expect(parsePatchPath('members[value eq "US1"]')).toEqual({ path: path('members'), schemaOnly: null, filter: eq('value', 'US1'), subAfterFilter: null });
    expect(parsePatchPath('addresses[type eq "work"].formatted')).toMatchObject({ path: path('addresses'), subAfterFilter: 'formatted' });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')).toMatchObject({ schemaOnly: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user' });
    expect(() => parsePatchPath('emails[type eq "work"')).toThrow(expect.objectContaining({ code: 'scim_invalid_path' }));
    expect(() => parsePatchPath('name.givenName[type eq "x"]')).toThrow(expect.objectContaining({ code: 'scim_invalid_path' }));
  });
});
