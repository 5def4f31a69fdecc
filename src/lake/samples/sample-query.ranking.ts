import type { SampleQuery } from './sample-query.catalog';

/**
 * BM25 over the catalog, with the name, description and SQL of a query as weighted fields
 * (BM25F: a term in the name counts three times, in the description twice, in the SQL once).
 * CloudTrail ranks its samples by a semantic similarity in [0, 1]; here `relevance` is the share
 * of the phrase's best attainable score that a query reaches: the sum, over the phrase's terms,
 * of idf · (k1 + 1), the limit of BM25's term weight as a term's frequency grows.
 */

const K1 = 1.2;
const B = 0.75;
const FIELD_WEIGHTS = { name: 3, description: 2, sql: 1 } as const;

// Words that carry no meaning in a search phrase, and SQL keywords every sample has.
const STOP_WORDS = new Set(
  (
    'a an and are as at be by for from has have how i in is it its me my of on or show that the their them this to ' +
    'was what when which who whom why with without all any can do does did find get give list want see ' +
    'select where group order limit desc asc count having eds id'
  ).split(' '),
);

/** Lower-case terms of a text: camelCase and snake_case split, stop words dropped, light stemming. */
export function terms(text: string): string[] {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.filter((w) => w.length > 1 && !STOP_WORDS.has(w)).map(stem);
}

/** Folds plural and verb endings ("logins", "deleted", "signing") onto one term. */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

interface IndexedQuery {
  query: SampleQuery;
  /** weighted term frequencies over the three fields */
  tf: Map<string, number>;
  length: number;
}

export interface RankedQuery extends SampleQuery {
  relevance: number;
}

/** The catalog indexed once; `search` ranks it for a phrase. */
export class SampleQueryIndex {
  private readonly docs: IndexedQuery[];
  private readonly df = new Map<string, number>();
  private readonly averageLength: number;

  constructor(catalog: readonly SampleQuery[]) {
    this.docs = catalog.map((query) => {
      const tf = new Map<string, number>();
      let length = 0;
      for (const field of Object.keys(FIELD_WEIGHTS) as Array<keyof typeof FIELD_WEIGHTS>) {
        for (const term of terms(query[field])) {
          tf.set(term, (tf.get(term) ?? 0) + FIELD_WEIGHTS[field]);
          length += FIELD_WEIGHTS[field];
        }
      }
      for (const term of tf.keys()) this.df.set(term, (this.df.get(term) ?? 0) + 1);
      return { query, tf, length };
    });
    this.averageLength = this.docs.reduce((sum, d) => sum + d.length, 0) / Math.max(this.docs.length, 1);
  }

  /** Queries matching at least one term of the phrase, most relevant first (ties in catalog order). */
  search(phrase: string): RankedQuery[] {
    const phraseTerms = [...new Set(terms(phrase))];
    const idf = new Map(phraseTerms.map((t) => [t, this.idf(t)]));
    const best = phraseTerms.reduce((sum, t) => sum + idf.get(t)! * (K1 + 1), 0);
    if (best === 0) return [];
    const ranked: RankedQuery[] = [];
    for (const doc of this.docs) {
      let score = 0;
      for (const term of phraseTerms) {
        const f = doc.tf.get(term);
        if (!f) continue;
        score += (idf.get(term)! * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * doc.length) / this.averageLength));
      }
      if (score > 0) ranked.push({ ...doc.query, relevance: Math.round((score / best) * 10_000) / 10_000 });
    }
    // Array.prototype.sort is stable: equal relevance keeps the catalog's order.
    return ranked.sort((a, b) => b.relevance - a.relevance);
  }

  /** BM25's idf, kept positive for terms in most queries; 0 for a term in none. */
  private idf(term: string): number {
    const n = this.df.get(term) ?? 0;
    if (n === 0) return 0;
    return Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5));
  }
}
