/** The slices of Unleash Admin API bodies (OpenAPI schemas of unleash-server 7) this package reads or writes. */

export interface Constraint {
  contextName: string;
  operator: string;
  value?: string;
  values?: string[];
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export interface StrategyVariant {
  name: string;
  weight: number;
  weightType: 'variable' | 'fix';
  stickiness: string;
  payload?: { type: 'json' | 'string' | 'number' | 'csv'; value: string };
}

/** `createFeatureStrategySchema` / `updateFeatureStrategySchema`, and `featureStrategySchema` with `id`. */
export interface AdminStrategy {
  id?: string;
  name: string;
  title?: string | null;
  disabled?: boolean | null;
  parameters?: Record<string, string>;
  constraints?: Constraint[];
  variants?: StrategyVariant[];
  segments?: number[];
}

export interface FeatureEnvironment {
  name: string;
  enabled: boolean;
  strategies?: AdminStrategy[];
}

/** `featureSchema` as returned by `GET /api/admin/projects/{project}/features/{flag}`. */
export interface Feature {
  name: string;
  environments?: FeatureEnvironment[];
}
