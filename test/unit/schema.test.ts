import fs from 'node:fs';
import path from 'node:path';
import { buildOpenTrailSchema, printOpenTrailSchema } from '../../src/graphql/schema';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` after changing the API)', async () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    const built = printOpenTrailSchema(await buildOpenTrailSchema());
    expect(committed).toBe(built);
  });
});
