import { useState } from 'react';
import { ApiError } from '../../api/graphql-client';

/** Which field an API error is about: the first rule whose pattern matches "<code>: <message>", else the form. */
export type FieldRules<F extends string> = Array<[RegExp, F]>;

export function fieldOf<F extends string>(err: unknown, rules: FieldRules<F>): F | 'form' {
  if (!(err instanceof ApiError)) return 'form';
  const text = `${err.code}: ${err.message}`;
  return rules.find(([pattern]) => pattern.test(text))?.[1] ?? 'form';
}

/**
 * A form's API error, placed next to the field it names: `errorOf(field)` for the message,
 * `fieldProps(field)` for the input's aria-invalid and aria-describedby (`<idPrefix>-<field>-error`).
 */
export function useFormError<F extends string>(idPrefix: string, rules: FieldRules<F>) {
  const [state, setState] = useState<{ error: unknown; field: F | 'form' } | null>(null);
  const at = (field: F | 'form') => state?.field === field;
  return {
    fail: (err: unknown, field: F | 'form' = fieldOf(err, rules)) => setState({ error: err, field }),
    clear: () => setState(null),
    errorOf: (field: F | 'form') => (at(field) ? state?.error : null),
    errorId: (field: F | 'form') => `${idPrefix}-${field}-error`,
    fieldProps: (field: F) => ({
      'aria-invalid': at(field) || undefined,
      'aria-describedby': at(field) ? `${idPrefix}-${field}-error` : undefined,
    }),
  };
}
