/**
 * containerd's list filters (filters/filter.go): `<fieldpath><op><value>` selectors,
 * ',' = all must match, several filter strings = any may match. Objects expose
 * their fields through an Adaptor, a lookup by field path.
 */
export type FieldLookup = (fieldpath: readonly string[]) => string | undefined;

export type Operator = 'present' | '==' | '!=' | '~=';

export interface Selector {
  fieldpath: string[];
  operator: Operator;
  value: string;
}

/** A parsed filter string: every selector must match. */
export class Filter {
  private readonly regexps = new Map<string, RegExp | null>();

  constructor(readonly selectors: Selector[]) {}

  match(lookup: FieldLookup): boolean {
    return this.selectors.every((s) => this.matchOne(s, lookup(s.fieldpath)));
  }

  private matchOne(s: Selector, value: string | undefined): boolean {
    switch (s.operator) {
      case 'present':
        return value !== undefined;
      case '==':
        return value !== undefined && value === s.value;
      case '!=':
        // containerd compares the zero value when the field is absent.
        return (value ?? '') !== s.value;
      case '~=': {
        const re = this.regexp(s.value);
        return re !== null && re.test(value ?? '');
      }
    }
  }

  private regexp(source: string): RegExp | null {
    if (!this.regexps.has(source)) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(source);
      } catch {
        re = null; // containerd logs and treats a bad expression as no match
      }
      this.regexps.set(source, re);
    }
    return this.regexps.get(source) ?? null;
  }
}

/** Several filter strings: any may match; none given matches everything. */
export class FilterSet {
  constructor(readonly filters: Filter[]) {}

  match(lookup: FieldLookup): boolean {
    return this.filters.length === 0 || this.filters.some((f) => f.match(lookup));
  }
}
