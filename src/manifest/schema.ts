/**
 * The JSON Schema of gilbert.yaml (draft-07, what yaml-language-server and
 * SchemaStore read), generated from the validator's field table (fields.ts).
 *
 * It describes one file before imports are merged, as YAML parsers give it to
 * an editor. What a schema cannot see is still checked only by gilbert: files
 * named in `imports`, the `{{{ }}}` template pass, params of each action.
 */
import { HANDLER_FIELDS, JOB_FIELDS, TASK_OBJECT_FIELDS, TOP_LEVEL_FIELDS, type FieldKind, type FieldSpec } from './fields.js';
import { BOOLEAN_WORDS } from './yaml.js';

type Schema = Record<string, unknown>;

/** A scalar as gilbert reads a text field: a string, or a number or boolean kept as written. */
const scalar: Schema = { type: ['string', 'number', 'boolean', 'null'] };

const kinds: Record<FieldKind, Schema> = {
  text: scalar,
  boolean: { anyOf: [{ type: ['boolean', 'null'] }, { enum: BOOLEAN_WORDS }] },
  milliseconds: { type: ['integer', 'null'], minimum: 0 },
  textMap: { type: ['object', 'null'], additionalProperties: scalar },
  params: { type: ['object', 'null'] },
  textList: { type: ['array', 'null'], items: { type: ['string', 'number', 'boolean'], minLength: 1 } },
  jobs: { $ref: '#/definitions/jobs' },
  jobMap: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/jobs' } },
  tasks: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/task' } },
};

function properties(fields: Record<string, FieldSpec>): Schema {
  const out: Schema = {};
  for (const [key, spec] of Object.entries(fields)) {
    const description = spec.item ? `${spec.description} (each a ${spec.item})` : spec.description;
    out[key] = { description, ...kinds[spec.kind] };
  }
  return out;
}

/** A job names its handler when the field is there and neither null nor empty. */
function names(field: string): Schema {
  return { required: [field], properties: { [field]: { not: { enum: [null, ''] } } } };
}

export function manifestSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'gilbert.yaml',
    description: 'A Gilbert task runner manifest (gilbert-ts)',
    type: ['object', 'null'],
    properties: properties(TOP_LEVEL_FIELDS),
    additionalProperties: false,
    definitions: {
      job: {
        type: 'object',
        description: `One step: runs exactly one of ${HANDLER_FIELDS.join(', ')}`,
        properties: properties(JOB_FIELDS),
        additionalProperties: false,
        oneOf: HANDLER_FIELDS.map(names),
      },
      jobs: { type: 'array', minItems: 1, items: { $ref: '#/definitions/job' } },
      task: {
        oneOf: [
          { $ref: '#/definitions/jobs' },
          { type: 'object', properties: properties(TASK_OBJECT_FIELDS), required: ['jobs'], additionalProperties: false },
        ],
      },
    },
  };
}

/** The schema as `gilbert schema` prints it and the package ships it. */
export function manifestSchemaText(): string {
  return `${JSON.stringify(manifestSchema(), null, 2)}\n`;
}

/** The schema file of this installation (written by the build beside package.json). */
export function schemaFileUrl(): string {
  return new URL('../../gilbert.schema.json', import.meta.url).href;
}

/** The first line of manifests that `gilbert init` writes: editors that read it validate and complete gilbert.yaml. */
export function schemaComment(): string {
  return `# yaml-language-server: $schema=${schemaFileUrl()}\n`;
}
