/** A Postgres database that exists until `drop()` is called. */
export interface Database {
  /** Connection URL for Unleash (`postgres://user:password@host:port/name`). */
  url: string;
  /** Removes the database and anything started to host it. Safe to call twice. */
  drop(): Promise<void>;
}
