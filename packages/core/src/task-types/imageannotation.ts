import { z } from 'zod';
import { AttachmentUrl } from './attachments';
import {
  AnnotationAttributesSchema,
  checkAttributeValues,
  labelsReferencedByAttributes,
} from './attributes';
import { defineTaskType } from './definition';
import {
  GEOMETRY_TYPES,
  ImageAnnotationResponseSchema,
  LayersSchema,
  type GeometryType,
  type ImageAnnotationResponse,
} from './geometry';
import { allLabelChoices, labelList, leafLabels } from './labels';
import {
  JsonObjectValue,
  NonBlankString,
  listForMessage,
  reportFirst,
  type Path,
  type Problem,
  unlessMissing,
} from './validation';

const objectsToAnnotate = () => labelList().default(() => []);

const Box = z.strictObject({
  objects_to_annotate: objectsToAnnotate(),
  min_height: z.number().nonnegative().default(0),
  min_width: z.number().nonnegative().default(0),
  can_rotate: z.boolean().default(false),
  /** Whole-pixel `left/top/width/height`; rotated boxes keep fractional coordinates. */
  integer_pixels: z.boolean().default(false),
});

function withVertexLimits() {
  return z
    .strictObject({
      objects_to_annotate: objectsToAnnotate(),
      min_vertices: z.number().int().min(1).default(1),
      max_vertices: z.number().int().min(1).nullable().default(null),
    })
    .superRefine((geometry, ctx) => {
      if (geometry.max_vertices !== null && geometry.max_vertices < geometry.min_vertices) {
        ctx.addIssue({
          code: 'custom',
          message: `max_vertices (${geometry.max_vertices}) must be >= min_vertices (${geometry.min_vertices})`,
          path: ['max_vertices'],
        });
      }
    });
}

/** `connections` only draw lines between points for the labeler; they change no response. */
const Point = z.strictObject({
  objects_to_annotate: objectsToAnnotate(),
  connections: z
    .array(
      z.strictObject({
        pair: z.tuple([NonBlankString, NonBlankString], {
          error: unlessMissing('must be a pair of labels'),
        }),
        connection_attribute: NonBlankString.optional(),
      }),
    )
    .optional(),
});

const Ellipse = z.strictObject({ objects_to_annotate: objectsToAnnotate() });

const Geometries = z
  .strictObject({
    box: Box.optional(),
    polygon: withVertexLimits().optional(),
    line: withVertexLimits().optional(),
    point: Point.optional(),
    ellipse: Ellipse.optional(),
    cuboid: z
      .never({
        error: 'cuboid annotation is not supported yet; use box, polygon, line, point or ellipse',
      })
      .optional(),
  })
  .superRefine((geometries, ctx) => {
    if (!GEOMETRY_TYPES.some((type) => geometries[type] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `at least one geometry is required (${GEOMETRY_TYPES.join(', ')})`,
        path: [],
      });
    }
  });

const ImageAnnotationParamsBase = z.strictObject({
  attachment: AttachmentUrl,
  attachment_type: z.literal('image').default('image'),
  /** Reference images shown beside the attachment; never labeled. */
  context_attachments: z.array(z.strictObject({ attachment: AttachmentUrl })).optional(),
  geometries: Geometries,
  annotation_attributes: AnnotationAttributesSchema.optional(),
  /** Relationship definitions between annotations; Scale does not publish their shape, so kept as given. */
  links: JsonObjectValue.optional(),
  /** Pre-labels the labeler starts from, in response format. */
  hypothesis: ImageAnnotationResponseSchema.optional(),
  layers: LayersSchema.optional(),
  base_annotations: ImageAnnotationResponseSchema.optional(),
  can_add_base_annotations: z.boolean().optional(),
  can_edit_base_annotations: z.boolean().optional(),
  can_edit_base_annotation_labels: z.boolean().optional(),
  can_delete_base_annotations: z.boolean().optional(),
  /** Pixels annotations may extend beyond the image edges. */
  padding: z.number().int().nonnegative().optional(),
  paddingX: z.number().int().nonnegative().optional(),
  paddingY: z.number().int().nonnegative().optional(),
});

export type ImageAnnotationParams = z.output<typeof ImageAnnotationParamsBase>;

function requestedGeometries(params: ImageAnnotationParams): GeometryType[] {
  return GEOMETRY_TYPES.filter((type) => params.geometries[type] !== undefined);
}

function checkContextAttachments(params: ImageAnnotationParams): Problem | undefined {
  const index = (params.context_attachments ?? []).findIndex(
    (context) => context.attachment === params.attachment,
  );
  if (index < 0) return undefined;
  return {
    path: ['context_attachments', index, 'attachment'],
    message: 'must differ from the task attachment',
  };
}

/** Labels named by attribute conditions and linked attributes must be labels some geometry offers. */
function checkAttributeLabels(params: ImageAnnotationParams): Problem | undefined {
  if (!params.annotation_attributes) return undefined;
  const known = new Set(
    requestedGeometries(params).flatMap((type) =>
      allLabelChoices(params.geometries[type]!.objects_to_annotate),
    ),
  );
  if (known.size === 0) return undefined;
  for (const reference of labelsReferencedByAttributes(params.annotation_attributes)) {
    if (!known.has(reference.label)) {
      return {
        path: ['annotation_attributes', ...reference.path],
        message: `${JSON.stringify(reference.label)} is not a label of any geometry`,
      };
    }
  }
  return undefined;
}

function checkPointConnections(params: ImageAnnotationParams): Problem | undefined {
  const point = params.geometries.point;
  if (!point?.connections) return undefined;
  const labels = leafLabels(point.objects_to_annotate);
  for (const [index, connection] of point.connections.entries()) {
    const path: Path = ['geometries', 'point', 'connections', index];
    for (const [side, label] of connection.pair.entries()) {
      if (labels.length > 0 && !labels.includes(label)) {
        return {
          path: [...path, 'pair', side],
          message: `${JSON.stringify(label)} is not a point label (${listForMessage(labels)})`,
        };
      }
    }
    const attribute = connection.connection_attribute;
    if (attribute === undefined) continue;
    const definition = params.annotation_attributes?.[attribute];
    if (
      !definition ||
      !Object.hasOwn(params.annotation_attributes ?? {}, attribute) ||
      definition.type !== 'linked'
    ) {
      return {
        path: [...path, 'connection_attribute'],
        message: `${JSON.stringify(attribute)} is not a linked attribute of annotation_attributes`,
      };
    }
  }
  return undefined;
}

function checkVertexCount(count: number, min: number, max: number | null): string | undefined {
  if (count < min) return `must have at least ${min} vertices (min_vertices), not ${count}`;
  if (max !== null && count > max)
    return `must have at most ${max} vertices (max_vertices), not ${count}`;
  return undefined;
}

/**
 * Checks annotations (a response, a hypothesis, base annotations) against the task: each shape
 * was requested, carries one of its geometry's leaf labels when labels were given, respects the
 * geometry's options, and has only defined attributes.
 */
export function checkImageAnnotations(
  response: ImageAnnotationResponse,
  params: ImageAnnotationParams,
  base: Path,
): Problem | undefined {
  const uuids = new Set(
    response.annotations.flatMap((annotation) => (annotation.uuid ? [annotation.uuid] : [])),
  );
  const labels = new Map<GeometryType, string[]>();
  const requested = requestedGeometries(params);
  for (const type of requested)
    labels.set(type, leafLabels(params.geometries[type]!.objects_to_annotate));
  for (const [index, annotation] of response.annotations.entries()) {
    const path: Path = [...base, 'annotations', index];
    const allowed = labels.get(annotation.type);
    if (!allowed) {
      return {
        path: [...path, 'type'],
        message: `${annotation.type} was not requested (geometries: ${requested.join(', ')})`,
      };
    }
    if (
      allowed.length > 0 &&
      (annotation.label === undefined || !allowed.includes(annotation.label))
    ) {
      return {
        path: [...path, 'label'],
        message:
          annotation.label === undefined
            ? `is required (one of ${listForMessage(allowed)})`
            : `${JSON.stringify(annotation.label)} is not a ${annotation.type} label (${listForMessage(allowed)})`,
      };
    }
    if (annotation.type === 'polygon' || annotation.type === 'line') {
      const geometry = params.geometries[annotation.type]!;
      const message = checkVertexCount(
        annotation.vertices.length,
        geometry.min_vertices,
        geometry.max_vertices,
      );
      if (message) return { path: [...path, 'vertices'], message };
    }
    if (annotation.type === 'box') {
      const box = params.geometries.box!;
      if (!box.can_rotate && (annotation.rotation ?? 0) !== 0) {
        return {
          path: [...path, 'rotation'],
          message: 'boxes cannot be rotated unless geometries.box.can_rotate is set',
        };
      }
      if (box.integer_pixels && !box.can_rotate) {
        for (const key of ['left', 'top', 'width', 'height'] as const) {
          if (!Number.isInteger(annotation[key])) {
            return {
              path: [...path, key],
              message: 'must be a whole number of pixels (integer_pixels is set)',
            };
          }
        }
      }
    }
    if (annotation.attributes) {
      const problem = checkAttributeValues(
        annotation.attributes,
        params.annotation_attributes,
        uuids,
        [...path, 'attributes'],
      );
      if (problem) return problem;
    }
  }
  return undefined;
}

/** `imageannotation` create params, defaults filled in. */
export const ImageAnnotationParamsSchema = ImageAnnotationParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [
    () => checkContextAttachments(params),
    () => checkAttributeLabels(params),
    () => checkPointConnections(params),
    () =>
      params.hypothesis
        ? checkImageAnnotations(params.hypothesis, params, ['hypothesis'])
        : undefined,
    () =>
      params.base_annotations
        ? checkImageAnnotations(params.base_annotations, params, ['base_annotations'])
        : undefined,
  ]),
);

export const imageAnnotation = defineTaskType({
  type: 'imageannotation',
  params: ImageAnnotationParamsSchema,
  response: ImageAnnotationResponseSchema,
  testResponse(params) {
    const hypothesis = params.hypothesis;
    if (!hypothesis) return { annotations: [], links: [], global_attributes: {} };
    return {
      annotations: hypothesis.annotations,
      links: hypothesis.links ?? [],
      global_attributes: hypothesis.global_attributes ?? {},
    };
  },
  checkResponse: (response, params) => checkImageAnnotations(response, params, []),
});
