import fs from 'node:fs';
import path from 'node:path';
import { cloudTrailOperations } from '../../src/aws/cloudtrail-face';
import { CLOUDTRAIL_MODEL } from '../../src/aws/models/cloudtrail';
import { operationCatalog } from '../../src/graphql/operation-catalog';
import { buildOpenTrailSchema } from '../../src/graphql/schema';

const README = path.resolve(__dirname, '../../README.md');
const START = '<!-- aws-cloudtrail-operations: generated from the operation catalog; test/unit/readme-aws-operations.test.ts prints it -->';
const END = '<!-- /aws-cloudtrail-operations -->';

/** The README's list of the CloudTrail operations the AWS face serves, from the catalog itself. */
async function expectedBlock(): Promise<string> {
  const served = [...cloudTrailOperations(await buildOpenTrailSchema(), operationCatalog()).keys()].sort();
  const all = Object.keys(CLOUDTRAIL_MODEL.operations).sort();
  const missing = all.filter((op) => !served.includes(op));
  const list = (ops: string[]) => ops.map((op) => `\`${op}\``).join(', ');
  return [
    START,
    `**CloudTrail** (\`aws cloudtrail\`, AWS JSON 1.1): ${served.length} of the ${all.length} operations of CloudTrail's API: ${list(served)}.`,
    '',
    `Not served yet (\`UnknownOperationException\`): ${list(missing)}.`,
    END,
  ].join('\n');
}

describe("the README's list of AWS operations", () => {
  it('is the one the operation catalog gives (paste the expected block when it changes)', async () => {
    const readme = fs.readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    const current = start >= 0 && end > start ? readme.slice(start, end + END.length) : '(no block)';
    expect(current).toBe(await expectedBlock());
  });
});
