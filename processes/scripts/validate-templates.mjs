// Validates every element template in .camunda/element-templates/ against the official
// Camunda element templates JSON schema (npm @camunda/element-templates-json-schema).
// Run from processes/: node scripts/validate-templates.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', '.camunda', 'element-templates');
const schema = require('@camunda/element-templates-json-schema/resources/schema.json');

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let failures = 0;
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
if (files.length === 0) {
  console.error(`No element templates in ${dir}`);
  process.exit(1);
}
const ids = new Set();
for (const file of files) {
  const content = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const templates = Array.isArray(content) ? content : [content];
  for (const template of templates) {
    if (!validate(template)) {
      failures++;
      console.error(`✖ ${file} (${template.id}):`);
      for (const e of validate.errors) console.error(`    ${e.instancePath || '/'} ${e.message}`);
    } else if (ids.has(template.id)) {
      failures++;
      console.error(`✖ ${file}: duplicate template id ${template.id}`);
    } else {
      ids.add(template.id);
      console.log(`✔ ${file} (${template.id})`);
    }
  }
}
console.log(`Element templates: ${ids.size} valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
