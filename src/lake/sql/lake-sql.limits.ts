import type { InvalidQueryStatement } from './lake-sql.errors';

/**
 * The shape limits of a Lake statement, enforced while the compiler walks it, so that what a
 * statement costs to compile and to run is bounded before PostgreSQL sees it.
 */

/**
 * Relations (data store references, sub-queries, UNNEST) one statement may read, counted as
 * PostgreSQL runs it: WITH queries are inlined (NOT MATERIALIZED), so every reference to one is
 * a sub-query in FROM and counts 1 plus all the relations its body reads. That also bounds how
 * deep WITH queries reading WITH queries can nest once inlined. A 9-way product of a store with itself already holds a
 * backend for the whole statement timeout; CloudTrail documents no such limit, this is ours.
 */
export const MAX_RELATIONS = 8;

/**
 * Levels of nesting (sub-queries, set operations, joins, expressions: NOT NOT …, a + b + …,
 * f(g(…)), CASE inside CASE, the steps of a.b.c… and m['k']['k']…) one statement may have. Every walk of the tree is recursive, so
 * without a bound a 10 000-character statement could overflow the stack (NOT ×2400 did). Long
 * flat lists are not deep: PostgreSQL's parser keeps `a OR b OR …` and `IN (…)` as one node with
 * many arguments, so 500 ORs are depth 3. Real detection queries nest a few dozen levels at most.
 *
 * libpg-query itself copes with every statement of at most 10 000 characters (measured with the
 * deepest forms at 9 900 characters: NOT chains, operator chains, nested calls, sub-queries,
 * CASE); beyond that its grammar answers "memory exhausted" and nested sub-queries overflow the
 * stack inside the WebAssembly, which the length limit keeps out of reach.
 */
export const MAX_NESTING_DEPTH = 200;

/**
 * Columns one select list may have once `*` is expanded. Each `*` of a store is 33 columns, so
 * `SELECT *,*,…` of 250 characters asked PostgreSQL for 3 333 (it refuses over 1 664, which
 * reached the caller as InternalFailure) and made the printed statement hundreds of times larger
 * than the caller's. `SELECT *` of 8 joined stores is 264.
 */
export const MAX_RESULT_COLUMNS = 1000;

type Node = Record<string, any>;
type Refuse = (node: Node | undefined, message: string) => InvalidQueryStatement;

/** The running count of relations against MAX_RELATIONS. */
export class RelationBudget {
  private used = 0;

  constructor(private readonly refuse: Refuse) {}

  /** Charges `n` relations read at `node`; `cte` names the WITH query they come from. */
  charge(node: Node | undefined, n: number, cte?: string): void {
    this.used += n;
    if (this.used > MAX_RELATIONS) {
      const why = cte ? ` Each reference to a WITH query counts the relations it reads ('${cte.slice(0, 63)}' reads ${n}).` : '';
      throw this.refuse(node, `A query may join at most ${MAX_RELATIONS} relations.${why}`);
    }
  }

  /**
   * Runs `fn` (the compilation of a WITH query's body) with its own count, charging nothing: the
   * body is charged at each reference instead. A body that alone reads too much is still refused.
   * Counts are numbers, never expansions, so chains of WITH queries cost nothing to count.
   */
  apart<T>(fn: () => T): { result: T; relations: number } {
    const saved = this.used;
    this.used = 0;
    try {
      const result = fn();
      return { result, relations: this.used };
    } finally {
      this.used = saved;
    }
  }
}

/** The current nesting depth against MAX_NESTING_DEPTH. */
export class DepthGuard {
  private depth = 0;

  constructor(private readonly refuse: Refuse) {}

  within<T>(node: Node | undefined, fn: () => T): T {
    this.check(node, 1);
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /**
   * Refuses `levels` more levels that are printed nested but walked in a loop: the steps of a
   * struct path (`a.b.c…`) or of subscripts (`m['k']['k']…`) each become one operator of a chain
   * that PostgreSQL's own analysis recurses through (4 500 steps: "stack depth limit exceeded").
   */
  check(node: Node | undefined, levels: number): void {
    if (this.depth + levels > MAX_NESTING_DEPTH) {
      throw this.refuse(node, `The query nests sub-queries or expressions more than ${MAX_NESTING_DEPTH} levels deep.`);
    }
  }
}
