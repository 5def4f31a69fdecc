#!/usr/bin/env node
'use strict';
// Writes the compact AWS service models the AWS protocols face translates with
// (src/aws/models/<service>.json) from botocore's service models, the exact specification of
// each operation's shapes and errors. The server reads only the generated files: botocore (a
// Python package) is needed to regenerate them, never at run time.
//
//   node scripts/aws-models.js
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const prettier = require('prettier');

const ROOT = path.resolve(__dirname, '..');
const MODELS = [{ service: 'cloudtrail', version: '2013-11-01' }];
const SCALARS = new Set(['string', 'boolean', 'integer', 'long', 'float', 'double', 'timestamp', 'blob']);

const botocore = JSON.parse(
  execFileSync(
    'python3',
    ['-c', 'import botocore, json, os; print(json.dumps([os.path.dirname(botocore.__file__), botocore.__version__]))'],
    {
      encoding: 'utf8',
    },
  ),
);

/** A member's type: the scalar's type name, or the name of a structure, list or map shape. */
function typeOf(shapes, name) {
  const type = shapes[name].type;
  return SCALARS.has(type) ? type : name;
}

function compact(model) {
  const shapes = {};
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.type === 'structure') {
      const members = Object.fromEntries(Object.entries(shape.members).map(([m, ref]) => [m, typeOf(model.shapes, ref.shape)]));
      shapes[name] = { type: 'structure', members };
      if (shape.exception) shapes[name].httpStatusCode = shape.error?.httpStatusCode ?? 400;
    } else if (shape.type === 'list') {
      shapes[name] = { type: 'list', member: typeOf(model.shapes, shape.member.shape) };
    } else if (shape.type === 'map') {
      shapes[name] = { type: 'map', key: typeOf(model.shapes, shape.key.shape), value: typeOf(model.shapes, shape.value.shape) };
    }
  }
  const operations = Object.fromEntries(
    Object.entries(model.operations).map(([name, op]) => [name, { input: op.input?.shape ?? null, output: op.output?.shape ?? null }]),
  );
  return { operations, shapes };
}

async function main() {
  for (const { service, version } of MODELS) {
    const source = path.join(botocore[0], 'data', service, version, 'service-2.json.gz');
    const model = JSON.parse(zlib.gunzipSync(fs.readFileSync(source)).toString('utf8'));
    const table = {
      $generated: `By scripts/aws-models.js from botocore ${botocore[1]} data/${service}/${version}/service-2.json.gz; regenerate with \`node scripts/aws-models.js\`, never edit.`,
      metadata: {
        apiVersion: model.metadata.apiVersion,
        jsonVersion: model.metadata.jsonVersion,
        protocol: model.metadata.protocol,
        targetPrefix: model.metadata.targetPrefix,
      },
      ...compact(model),
    };
    const target = path.join(ROOT, 'src', 'aws', 'models', `${service}.json`);
    const options = (await prettier.resolveConfig(target)) ?? {};
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, await prettier.format(JSON.stringify(table), { ...options, filepath: target }));
    console.log(
      `${path.relative(ROOT, target)}: ${Object.keys(table.operations).length} operations, ${Object.keys(table.shapes).length} shapes`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
