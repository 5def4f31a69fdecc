import { TagErrors } from './tag.errors';

/** Tag rules of spec §1.4 / §4.8, pure. */

export const MAX_TAGS = 50;
export type Tag = { Key: string; Value: string | null };

function checkTag(tag: { Key: string; Value?: string | null }): Tag {
  const key = tag.Key;
  if (typeof key !== 'string' || [...key].length < 1 || [...key].length > 128) {
    throw TagErrors.tagParameter('Tag keys must be 1 to 128 Unicode characters.');
  }
  if (key.toLowerCase().startsWith('aws:'))
    throw TagErrors.tagParameter(`Tag key ${key} is reserved: keys starting with aws: are for AWS use.`);
  const value = tag.Value ?? null;
  if (value !== null && [...value].length > 256) throw TagErrors.tagParameter(`The value of tag ${key} is longer than 256 characters.`);
  return { Key: key, Value: value };
}

/** Existing tags overwritten/extended by `add` (AddTags semantics); at most 50 afterwards. */
export function mergeTags(existing: Tag[], add: Array<{ Key: string; Value?: string | null }>): Tag[] {
  const incoming = add.map(checkTag);
  const keys = new Set<string>();
  for (const t of incoming) {
    if (keys.has(t.Key)) throw TagErrors.tagParameter(`Tag key ${t.Key} appears more than once in the request.`);
    keys.add(t.Key);
  }
  const merged = new Map(existing.map((t) => [t.Key, t]));
  for (const t of incoming) merged.set(t.Key, t);
  if (merged.size > MAX_TAGS) throw TagErrors.tagsLimit(MAX_TAGS);
  return [...merged.values()];
}

/** Existing tags without the given keys (RemoveTags; values in the request are not compared). */
export function withoutTags(existing: Tag[], remove: Array<{ Key: string; Value?: string | null }>): Tag[] {
  const keys = new Set(remove.map((t) => checkTag(t).Key));
  return existing.filter((t) => !keys.has(t.Key));
}
