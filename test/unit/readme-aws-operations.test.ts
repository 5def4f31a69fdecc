import fs from 'node:fs';
import path from 'node:path';
import { CLOUDTRAIL, type JsonService, jsonServiceOperations, KMS } from '../../src/aws/json-service-face';
import { S3_OPERATION_NAMES } from '../../src/aws/s3-face';
import { STS_OPERATION_NAMES } from '../../src/aws/sts-face';
import { operationCatalog } from '../../src/graphql/operation-catalog';
import { buildOpenTrailSchema } from '../../src/graphql/schema';

const README = path.resolve(__dirname, '../../README.md');
const START = '<!-- aws-cloudtrail-operations: generated from the operation catalog; test/unit/readme-aws-operations.test.ts prints it -->';
const END = '<!-- /aws-cloudtrail-operations -->';

/** The README's list of the operations the AWS JSON faces serve, from the catalog itself. */
async function expectedBlock(): Promise<string> {
  const schema = await buildOpenTrailSchema();
  const list = (ops: string[]) => ops.map((op) => `\`${op}\``).join(', ');
  const lines = (title: string, service: JsonService) => {
    const served = [...jsonServiceOperations(service, schema, operationCatalog()).keys()].sort();
    const all = Object.keys(service.model.operations).sort();
    const missing = all.filter((op) => !served.includes(op));
    return [
      `${title}: ${served.length} of the ${all.length} operations of its API: ${list(served)}.`,
      '',
      `Not served yet (\`UnknownOperationException\`): ${list(missing)}.`,
    ];
  };
  return [
    START,
    `**STS** (\`aws sts\`, query protocol): ${list([...STS_OPERATION_NAMES])}.`,
    '',
    ...lines('**CloudTrail** (`aws cloudtrail`, AWS JSON 1.1)', CLOUDTRAIL),
    '',
    ...lines('**KMS** (`aws kms`, AWS JSON 1.1)', KMS),
    '',
    `**S3** (\`aws s3api\`, \`aws s3\`, REST-XML, path-style): ${S3_OPERATION_NAMES.length} operations on OpenTrail's buckets: ${list([...S3_OPERATION_NAMES].sort())}; any other answers S3's \`NotImplemented\`.`,
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
