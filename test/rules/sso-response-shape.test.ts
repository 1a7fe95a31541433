// S3: a response signs in only with a Success status, exactly one assertion, and stated Conditions.
import { describe, expect, it } from '@jest/globals';
import { decideAssertionConditions, decideResponseShape, STATUS_SUCCESS, type ResponseShape } from '../../src/rules/sso-response.js';

const reason = (d: { kind: string; reason?: string }): string => (d.kind === 'reject' ? (d.reason ?? '').split(':')[0]! : d.kind);

describe('decideResponseShape (S3)', () => {
  it.each<[string, ResponseShape, string]>([
    ['Success and one assertion', { statusCode: STATUS_SUCCESS, assertions: 1 }, 'allow'],
    ['a Requester status with a signed assertion', { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester', assertions: 1 }, 'status_not_success'],
    ['a Responder status', { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder', assertions: 1 }, 'status_not_success'],
    ['no status', { statusCode: null, assertions: 1 }, 'status_not_success'],
    ['two assertions', { statusCode: STATUS_SUCCESS, assertions: 2 }, 'assertion_count'],
    ['no assertion', { statusCode: STATUS_SUCCESS, assertions: 0 }, 'assertion_count'],
  ])('R-S3: %s → %s', (_label, shape, expected) => {
    expect(reason(decideResponseShape(shape))).toBe(expected);
  });
});

describe('decideAssertionConditions (S3)', () => {
  it('R-S3: an assertion without Conditions is refused with conditions_missing', () => {
    expect(reason(decideAssertionConditions(false))).toBe('conditions_missing');
    expect(decideAssertionConditions(true)).toEqual({ kind: 'allow' });
  });
});
