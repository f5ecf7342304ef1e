import { z } from 'zod';
import { MAX_TEXT_ATTACHMENT_LENGTH } from './attachments';
import { defineTaskType } from './definition';
import { MAX_LABEL_DEPTH } from './labels';
import {
  JsonObjectValue,
  NonBlankString,
  listForMessage,
  reportFirst,
  type Path,
  type Problem,
} from './validation';

/** An entity type; `children` refine it (an annotation may carry a parent's or a child's name). */
export interface NerLabel {
  name: string;
  display_name?: string | undefined;
  description?: string | undefined;
  children?: NerLabel[] | undefined;
}

function nerLabelAt(level: number): z.ZodType<NerLabel> {
  const children =
    level >= MAX_LABEL_DEPTH
      ? z.never({ error: `labels nest at most ${MAX_LABEL_DEPTH} levels deep` }).optional()
      : z
          .array(nerLabelAt(level + 1))
          .min(1, { error: 'must list at least one child (omit children for a leaf label)' })
          .optional();
  return z.strictObject({
    name: NonBlankString,
    display_name: z.string().optional(),
    description: z.string().optional(),
    children,
  });
}

const RelationshipDefinition = z.strictObject({
  /** Required for named relationships, absent for unnamed ones; a task uses one kind only. */
  name: NonBlankString.optional(),
  /** What the labeler reads, e.g. "is parent of". */
  display_name: z.string().optional(),
  /** Undirected relationships accept their ends either way round. */
  is_directed: z.boolean().default(false),
  /** Restricts the source to this label or its descendants. */
  source_label: NonBlankString.optional(),
  target_label: NonBlankString.optional(),
});

const NerParamsBase = z.strictObject({
  /** The document itself; its length cap counts UTF-16 units, a bound on code points too. */
  text: z.string().min(1).max(MAX_TEXT_ATTACHMENT_LENGTH),
  labels: z.array(nerLabelAt(1)).min(1, { error: 'must list at least one label' }),
  relationships: z.array(RelationshipDefinition).optional(),
  /** Pre-labels the annotator starts from (a model's spans), in response format. */
  hypothesis: z.lazy(() => NerResponseSchema).optional(),
});

export type NerParams = z.output<typeof NerParamsBase>;
type RelationshipDefinition = z.output<typeof RelationshipDefinition>;

/** Every label name with the names of its ancestors, nearest first. */
function labelAncestry(labels: readonly NerLabel[]): Map<string, string[]> {
  const ancestry = new Map<string, string[]>();
  const visit = (list: readonly NerLabel[], ancestors: string[]) => {
    for (const label of list) {
      if (!ancestry.has(label.name)) ancestry.set(label.name, ancestors);
      visit(label.children ?? [], [label.name, ...ancestors]);
    }
  };
  visit(labels, []);
  return ancestry;
}

function findDuplicateLabelName(labels: readonly NerLabel[]): Problem | undefined {
  const seen = new Set<string>();
  const visit = (list: readonly NerLabel[], base: Path): Problem | undefined => {
    for (const [index, label] of list.entries()) {
      const path = [...base, index];
      if (seen.has(label.name))
        return {
          path: [...path, 'name'],
          message: `duplicate label ${JSON.stringify(label.name)}`,
        };
      seen.add(label.name);
      const problem = visit(label.children ?? [], [...path, 'children']);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(labels, ['labels']);
}

function checkRelationshipDefinitions(params: NerParams): Problem | undefined {
  const relationships = params.relationships ?? [];
  const first = relationships[0];
  if (!first) return undefined;
  const isNamed = first.name !== undefined;
  const names = new Set<string>();
  const ancestry = labelAncestry(params.labels);
  for (const [index, relationship] of relationships.entries()) {
    const path: Path = ['relationships', index];
    if ((relationship.name !== undefined) !== isNamed) {
      return {
        path: [...path, 'name'],
        message: `relationships must be all named or all unnamed, and relationship 0 is ${isNamed ? 'named' : 'unnamed'}`,
      };
    }
    if (relationship.name !== undefined) {
      if (relationship.display_name === undefined) {
        return { path: [...path, 'display_name'], message: 'is required for a named relationship' };
      }
      if (names.has(relationship.name)) {
        return {
          path: [...path, 'name'],
          message: `duplicate relationship ${JSON.stringify(relationship.name)}`,
        };
      }
      names.add(relationship.name);
    }
    for (const end of ['source_label', 'target_label'] as const) {
      const label = relationship[end];
      if (label !== undefined && !ancestry.has(label)) {
        return { path: [...path, end], message: `unknown label ${JSON.stringify(label)}` };
      }
    }
  }
  return undefined;
}

/** `namedentityrecognition` create params, defaults filled in. */
export const NerParamsSchema = NerParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [
    () => findDuplicateLabelName(params.labels),
    () => checkRelationshipDefinitions(params),
    () => checkHypothesis(params),
  ]),
);

/** Pre-labels obey the same rules as answers: spans inside the text, labels offered. */
function checkHypothesis(params: NerParams): Problem | undefined {
  if (!params.hypothesis) return undefined;
  const ancestry = labelAncestry(params.labels);
  const problem =
    checkSpans(params.hypothesis, params, ancestry) ??
    checkRelationships(params.hypothesis, params, ancestry);
  return problem ? { ...problem, path: ['hypothesis', ...problem.path] } : undefined;
}

/**
 * A span of the task's text. `start` and `end` count Unicode code points (what `Array.from(text)`
 * yields), `end` exclusive, so an emoji is one character whatever its UTF-16 length.
 */
const NerAnnotation = z
  .strictObject({
    id: NonBlankString.optional(),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    text: z.string().optional(),
    label: NonBlankString,
    attributes: JsonObjectValue.optional(),
  })
  .superRefine((annotation, ctx) => {
    if (annotation.end <= annotation.start) {
      ctx.addIssue({
        code: 'custom',
        message: `end (${annotation.end}) must be > start (${annotation.start})`,
        path: ['end'],
      });
    }
  });

/** Ends are annotation ids; an unnamed relationship's `name` is blank or absent. */
const NerRelationship = z.strictObject({
  id: NonBlankString.optional(),
  source_ref: NonBlankString,
  target_ref: NonBlankString,
  name: z.string().optional(),
});

function checkReferences(response: NerResponseShape): Problem | undefined {
  const ids = new Set<string>();
  for (const [index, annotation] of response.annotations.entries()) {
    if (annotation.id === undefined) continue;
    if (ids.has(annotation.id)) {
      return {
        path: ['annotations', index, 'id'],
        message: `duplicate id ${JSON.stringify(annotation.id)}`,
      };
    }
    ids.add(annotation.id);
  }
  for (const [index, relationship] of (response.relationships ?? []).entries()) {
    for (const end of ['source_ref', 'target_ref'] as const) {
      if (!ids.has(relationship[end])) {
        return {
          path: ['relationships', index, end],
          message: `no annotation has id ${JSON.stringify(relationship[end])}`,
        };
      }
    }
  }
  return undefined;
}

const NerResponseBase = z.strictObject({
  annotations: z.array(NerAnnotation),
  relationships: z.array(NerRelationship).optional(),
});
type NerResponseShape = z.output<typeof NerResponseBase>;

export const NerResponseSchema = NerResponseBase.superRefine((response, ctx) =>
  reportFirst(ctx, [() => checkReferences(response)]),
);

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function fitsEnd(
  restriction: string | undefined,
  label: string,
  ancestry: Map<string, string[]>,
): boolean {
  return (
    restriction === undefined ||
    label === restriction ||
    (ancestry.get(label) ?? []).includes(restriction)
  );
}

function fitsDefinition(
  definition: RelationshipDefinition,
  source: string,
  target: string,
  ancestry: Map<string, string[]>,
): boolean {
  const forward =
    fitsEnd(definition.source_label, source, ancestry) &&
    fitsEnd(definition.target_label, target, ancestry);
  const backward =
    fitsEnd(definition.source_label, target, ancestry) &&
    fitsEnd(definition.target_label, source, ancestry);
  return forward || (!definition.is_directed && backward);
}

function checkSpans(
  response: NerResponseShape,
  params: NerParams,
  ancestry: Map<string, string[]>,
): Problem | undefined {
  const characters = Array.from(params.text);
  const names = [...ancestry.keys()];
  for (const [index, annotation] of response.annotations.entries()) {
    const path: Path = ['annotations', index];
    if (annotation.end > characters.length) {
      return {
        path: [...path, 'end'],
        message: `end (${annotation.end}) is past the end of the text (${characters.length} characters)`,
      };
    }
    if (annotation.text !== undefined) {
      const actual = characters.slice(annotation.start, annotation.end).join('');
      if (actual !== annotation.text) {
        return {
          path: [...path, 'text'],
          message: `does not match the text from ${annotation.start} to ${annotation.end}: ${quote(actual)}`,
        };
      }
    }
    if (!ancestry.has(annotation.label)) {
      return {
        path: [...path, 'label'],
        message: `unknown label ${JSON.stringify(annotation.label)} (${listForMessage(names)})`,
      };
    }
  }
  return undefined;
}

function checkRelationships(
  response: NerResponseShape,
  params: NerParams,
  ancestry: Map<string, string[]>,
): Problem | undefined {
  const relationships = response.relationships ?? [];
  const definitions = params.relationships ?? [];
  if (relationships.length > 0 && definitions.length === 0) {
    return { path: ['relationships'], message: 'this task defines no relationships' };
  }
  const labelOf = new Map(
    response.annotations.flatMap((annotation) =>
      annotation.id ? [[annotation.id, annotation.label]] : [],
    ),
  );
  const isNamed = definitions[0]?.name !== undefined;
  for (const [index, relationship] of relationships.entries()) {
    const path: Path = ['relationships', index];
    const source = labelOf.get(relationship.source_ref) ?? '';
    const target = labelOf.get(relationship.target_ref) ?? '';
    let candidates = definitions;
    if (isNamed) {
      candidates = definitions.filter((definition) => definition.name === relationship.name);
      if (candidates.length === 0) {
        const known = definitions.flatMap((definition) =>
          definition.name ? [definition.name] : [],
        );
        return {
          path: [...path, 'name'],
          message:
            relationship.name === undefined
              ? `is required (one of ${listForMessage(known)})`
              : `unknown relationship ${JSON.stringify(relationship.name)} (${listForMessage(known)})`,
        };
      }
    } else if (relationship.name !== undefined && relationship.name !== '') {
      return {
        path: [...path, 'name'],
        message: "must be blank: this task's relationships are unnamed",
      };
    }
    if (!candidates.some((definition) => fitsDefinition(definition, source, target, ancestry))) {
      return {
        path,
        message: `no relationship definition allows a ${JSON.stringify(source)} → ${JSON.stringify(target)} relationship${
          isNamed ? ` named ${JSON.stringify(relationship.name)}` : ''
        }`,
      };
    }
  }
  return undefined;
}

export const namedEntityRecognition = defineTaskType({
  type: 'namedentityrecognition',
  params: NerParamsSchema,
  response: NerResponseSchema,
  testResponse: () => ({ annotations: [], relationships: [] }),
  checkResponse(response, params) {
    const ancestry = labelAncestry(params.labels);
    return checkSpans(response, params, ancestry) ?? checkRelationships(response, params, ancestry);
  },
});
