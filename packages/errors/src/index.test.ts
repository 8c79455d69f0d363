import { describe, expect, it } from 'vitest';
import { BerthError, errorCodeOf, grpcStatusOf, httpStatusOf, notFound, isBerthError } from './index.js';

describe('error vocabulary', () => {
  it('keeps the code and the cause', () => {
    const root = new Error('ENOENT');
    const err = notFound('container "x" does not exist', root);
    expect(err).toBeInstanceOf(BerthError);
    expect(err.code).toBe('NotFound');
    expect(err.cause).toBe(root);
    expect(isBerthError(err, 'NotFound')).toBe(true);
    expect(isBerthError(err, 'Internal')).toBe(false);
  });
  it('maps unknown errors to Internal, and kinds to gRPC and HTTP statuses', () => {
    expect(errorCodeOf(new Error('x'))).toBe('Internal');
    expect(grpcStatusOf.NotFound).toBe(5);
    expect(httpStatusOf.Conflict).toBe(409);
    expect(httpStatusOf.NotImplemented).toBe(501);
  });
});
