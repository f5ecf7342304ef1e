import type { z } from 'zod';
import type {
  AggregationMethodSchema,
  AnswerSchema,
  ApiKeySchema,
  ArchiveImportQuery,
  ArchiveImportResultSchema,
  AssignmentSchema,
  BatchPriorityBody,
  BatchWorkforceSchema,
  CallbackKeysSchema,
  CampaignExportQuery,
  CampaignReportSchema,
  CampaignSchema,
  CategorizationParamsSchema,
  ChangePasswordBody,
  ChatMessageSchema,
  ChatParamsSchema,
  ChatTranscriptSchema,
  ClaimBody,
  CommonTaskFields,
  ComparisonParamsSchema,
  ConsensusSchema,
  CreateApiKeyBody,
  CreateCampaignBody,
  CreatedApiKeySchema,
  CreatedWorkerSchema,
  CreateModelEndpointBody,
  CreateWorkerBody,
  DeliveryDetailSchema,
  DeliveryPageSchema,
  DeliverySchema,
  EarningsSchema,
  GenerationLeaderboardSchema,
  GenerationRatingsSchema,
  ImageAnnotationParamsSchema,
  ImportResultSchema,
  ImportTasksQuery,
  ListDeliveriesQuery,
  MemberSchema,
  ModelCallBody,
  ModelCallResultSchema,
  ModelEndpointSchema,
  ModelParametersSchema,
  NerParamsSchema,
  PayoutQuery,
  ProjectSettingsPatch,
  ProjectSettingsSchema,
  QualityQuery,
  ReaggregationSchema,
  ReleaseListQuery,
  ReleaseSchema,
  SessionSchema,
  SignInBody,
  SubmitAnswerBody,
  SubmitResultSchema,
  TextCollectionParamsSchema,
  UpdateMemberBody,
  UpdateWorkerBody,
  WorkerListQuery,
  WorkerSchema,
} from '@quorum/core';

/*
 * The shapes the SDK sends and receives. Bodies are `z.input` of core's request schemas (what
 * may be sent, defaults optional) and results `z.infer` of its response schemas. The few shapes
 * that the server declares in its routes rather than in core are in route-shapes.ts.
 */

// Keys and callbacks
export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
export type CreateApiKeyInput = z.input<typeof CreateApiKeyBody>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryDetail = z.infer<typeof DeliveryDetailSchema>;
export type DeliveryPage = z.infer<typeof DeliveryPageSchema>;
export type DeliveryListQuery = WithLimit<z.input<typeof ListDeliveriesQuery>>;
export type CallbackKeys = z.infer<typeof CallbackKeysSchema>;

// Quality
export type AggregationMethod = z.infer<typeof AggregationMethodSchema>;
export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;
export type ProjectSettingsChange = z.input<typeof ProjectSettingsPatch>;
export type Answer = z.infer<typeof AnswerSchema>;
export type SubmitAnswerInput = z.input<typeof SubmitAnswerBody>;
export type Consensus = z.infer<typeof ConsensusSchema>;
export type Reaggregation = z.infer<typeof ReaggregationSchema>;
export type QualityReportQuery = z.input<typeof QualityQuery>;

// Workforce and work
export type Worker = z.infer<typeof WorkerSchema>;
export type CreatedWorker = z.infer<typeof CreatedWorkerSchema>;
export type CreateWorkerInput = z.input<typeof CreateWorkerBody>;
export type UpdateWorkerInput = z.input<typeof UpdateWorkerBody>;
export type WorkerQuery = WithLimit<z.input<typeof WorkerListQuery>>;
export type ReleaseQuery = WithLimit<z.input<typeof ReleaseListQuery>>;
export type SignInInput = z.input<typeof SignInBody>;
export type ChangePasswordInput = z.input<typeof ChangePasswordBody>;
export type Session = z.infer<typeof SessionSchema>;
export type ClaimInput = z.input<typeof ClaimBody>;
export type Assignment = z.infer<typeof AssignmentSchema>;
export type SubmitResult = z.infer<typeof SubmitResultSchema>;
/** A submission and the claim made with it (`Work.submitAndClaim`). */
export type SubmitAndClaimResult = Omit<SubmitResult, 'next'> & {
  next: { assignment?: Assignment; refused?: NonNullable<SubmitResult['next']>['refused'] };
};
export type Member = z.infer<typeof MemberSchema>;
export type Release = z.infer<typeof ReleaseSchema>;
export type UpdateMemberInput = z.input<typeof UpdateMemberBody>;
export type Earnings = z.infer<typeof EarningsSchema>;
export type BatchWorkforce = z.infer<typeof BatchWorkforceSchema>;
export type BatchQueueInput = z.input<typeof BatchPriorityBody>;
export type PayoutsQuery = z.input<typeof PayoutQuery>;

// Models and chat
export type ModelParameters = z.input<typeof ModelParametersSchema>;
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type ModelEndpoint = z.infer<typeof ModelEndpointSchema>;
export type CreateModelEndpointInput = z.input<typeof CreateModelEndpointBody>;
export type ModelCallInput = z.input<typeof ModelCallBody>;
export type ModelCallResult = z.infer<typeof ModelCallResultSchema>;
export type ChatTranscript = z.infer<typeof ChatTranscriptSchema>;
export type GenerationLeaderboard = z.infer<typeof GenerationLeaderboardSchema>;
export type GenerationRatings = z.infer<typeof GenerationRatingsSchema>;

// Imports
/** `POST /api/v1/projects/{project}/import`'s query: the format, and how to treat bad rows and Label Studio results. */
export type ImportTasksInput = Omit<z.input<typeof ImportTasksQuery>, 'skipBadRows'> & {
  skipBadRows?: boolean;
};
export type ImportResult = z.infer<typeof ImportResultSchema>;
export type ArchiveImportInput = z.input<typeof ArchiveImportQuery>;
export type ArchiveImportResult = z.infer<typeof ArchiveImportResultSchema>;

// Red teaming
export type Campaign = z.infer<typeof CampaignSchema>;
export type CreateCampaignInput = z.input<typeof CreateCampaignBody>;
export type CampaignReport = z.infer<typeof CampaignReportSchema>;
export type CampaignExportFormat = NonNullable<z.input<typeof CampaignExportQuery>['format']>;

/** A query schema's input with its coerced `limit` typed as the number it is. */
type WithLimit<Q> = Omit<Q, 'limit'> & { limit?: number };

/** The type parameters of each built-in task type, by the `{type}` of `POST /v1/task/{type}`. */
export interface TaskParamsByType {
  imageannotation: z.input<typeof ImageAnnotationParamsSchema>;
  categorization: z.input<typeof CategorizationParamsSchema>;
  comparison: z.input<typeof ComparisonParamsSchema>;
  namedentityrecognition: z.input<typeof NerParamsSchema>;
  textcollection: z.input<typeof TextCollectionParamsSchema>;
  chat: z.input<typeof ChatParamsSchema>;
}

/**
 * A create-task body: the common fields and the type's parameters. Parameters are optional
 * here because the project's default parameters fill them in; the server checks the merged task.
 */
export type CreateTaskBody<T extends string> = z.input<typeof CommonTaskFields> &
  (T extends keyof TaskParamsByType ? Partial<TaskParamsByType[T]> : Record<string, unknown>);

export type * from './route-shapes';
