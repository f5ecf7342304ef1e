import { z } from 'zod';
import { ErrorBodySchema, JsonObject, Timestamp } from './common';
import { WORKER_POOLS, WORKER_ROLES } from '../workforce';

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'must be an email address' });
const Password = z
  .string()
  .min(10, { error: 'must be at least 10 characters' })
  .max(200)
  .refine((password) => password.trim() !== '', 'must not be only spaces')
  .describe('Hashed with scrypt; never stored or shown');
/** A person's name: something a reader can see, not only spaces or invisible marks. */
const PersonName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/[\p{L}\p{N}\p{P}\p{S}]/u, { error: 'must have a visible character' });
const Roles = z.array(z.enum(WORKER_ROLES)).min(1).max(5);
const Skills = z
  .record(z.string().min(1).max(100), z.number().int().min(0).max(10))
  .describe('Skill → level (0-10)');
export const Languages = z
  .array(
    z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, {
        error: 'must be a BCP 47 language tag such as "en" or "pt-BR"',
      }),
  )
  .max(50)
  .refine(
    (tags) => new Set(tags.map((tag) => tag.toLowerCase())).size === tags.length,
    'lists a language twice',
  )
  .describe('BCP 47 language tags');
const Clearance = z.number().int().min(0).max(10).describe('Clearance level (0: none)');

export const CreateWorkerBody = z
  .object({
    email: Email,
    name: PersonName,
    password: Password.optional(),
    roles: Roles,
    pool: z.enum(WORKER_POOLS).default('internal'),
    team: z.string().trim().min(1).max(200).optional(),
    skills: Skills.optional(),
    languages: Languages.optional(),
    clearance: Clearance.optional(),
  })
  .strict();

export const UpdateWorkerBody = z
  .object({
    name: PersonName.optional(),
    password: Password.optional(),
    roles: Roles.optional(),
    pool: z.enum(WORKER_POOLS).optional(),
    team: z.string().trim().min(1).max(200).nullable().optional(),
    skills: Skills.optional(),
    languages: Languages.optional(),
    clearance: Clearance.optional(),
    status: z
      .enum(['active', 'removed'])
      .optional()
      .describe(
        'removed: ends their web sessions and refuses their requests (403) until reinstated',
      ),
  })
  .strict();

export const WorkerSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(WORKER_ROLES)),
  pool: z.enum(WORKER_POOLS),
  team: z.string().nullable(),
  skills: z.record(z.string(), z.number()),
  languages: z.array(z.string()),
  clearance: z.number().int(),
  status: z.enum(['active', 'removed']),
  has_password: z.boolean(),
  created_at: Timestamp,
});

export const CreatedWorkerSchema = WorkerSchema.extend({
  token: z.string().describe('A personal token (Bearer); shown in this response only'),
});

export const WorkerListQuery = z
  .object({
    role: z.enum(WORKER_ROLES).optional(),
    pool: z.enum(WORKER_POOLS).optional(),
    status: z.enum(['active', 'removed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.string().max(100).optional().describe('The last id of the previous page'),
  })
  .strict();

export const SignInBody = z
  .object({
    email: Email,
    password: z.string().min(1).max(200),
    organization: z
      .string()
      .max(100)
      .optional()
      .describe('Needed only when the email is registered in several organizations'),
  })
  .strict();

export const ChangePasswordBody = z
  .object({
    current: z.string().min(1).max(200).describe('The password in use now'),
    password: Password,
  })
  .strict();

/** The signed-in worker and, for a cookie session, the token its writes must send. */
export const SessionSchema = z.object({
  worker: WorkerSchema.extend({
    password_change_required: z
      .boolean()
      .describe('A handed-out password: choose a new one (POST /api/v1/me/password) first'),
  }),
  csrfToken: z
    .string()
    .nullable()
    .describe('Send as the X-CSRF-Token header on writes signed in by cookie; null for tokens'),
  expiresAt: z.string().nullable(),
});

/** The prefix of the work queue's routes. */
const WORK_API = '/api/v1/work';

/** Where annotators claim work: spelled once, for the server, the SDK, the app and the tests. */
export const CLAIM_PATH = `${WORK_API}/claim` as const;

export const ClaimBody = z
  .object({
    project: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Name or id; any eligible when left out'),
    stage: z
      .literal('training')
      .optional()
      .describe('Ask for a training task (practice; how paused annotators work their way back)'),
  })
  .strict();

export const AssignmentStageSchema = z.enum([
  'attempt',
  'review',
  'audit',
  'training',
  'evaluation',
]);

export const ClaimedTaskSchema = z.object({
  id: z
    .string()
    .describe(
      "The worker's own name for the task: the same at each of their claims, different from " +
        "other workers' and from the task's id, so it tells nothing of when the task was made",
    ),
  type: z.string(),
  project: z.string(),
  instruction: z.string().nullable(),
  params: JsonObject,
  attachments: z.array(z.object({ type: z.string(), content: z.string() })),
});

export const ReviewContextSchema = z.object({
  consensus: z.object({
    response: JsonObject,
    method: z.string(),
    confidence: z.number(),
  }),
  attempts: z.array(z.object({ assignment: z.string(), worker: z.string(), response: JsonObject })),
  review: JsonObject.nullable().describe("Audits: the reviewer's response"),
});

export const AssignmentSchema = z.object({
  id: z.string(),
  stage: AssignmentStageSchema,
  status: z.enum(['active', 'submitted', 'released', 'expired', 'late']),
  task: ClaimedTaskSchema,
  review: ReviewContextSchema.optional().describe('Review and audit stages'),
  leaseExpiresAt: Timestamp,
  claimedAt: Timestamp,
  submittedAt: Timestamp.nullable(),
  activeSeconds: z.number(),
  worker: z.string().optional().describe("Operators' view: the worker who holds it"),
  shownTaskId: z
    .string()
    .optional()
    .describe("Operators' view: the name the worker sees for the task (`task.id` is its id)"),
});

export const ClaimResultSchema = z.object({ assignment: AssignmentSchema });

export const SubmitAssignmentBody = z
  .object({
    response: JsonObject.describe("An answer in the task type's response shape"),
    next: ClaimBody.optional().describe(
      'Also claim your next task, as a claim with this body would, once the submission is ' +
        'stored: one request instead of two per task',
    ),
  })
  .strict();

export const NextClaimSchema = z.object({
  assignment: AssignmentSchema.nullable().describe(
    'The claimed task; null when nothing is eligible or the claim was refused',
  ),
  refused: ErrorBodySchema.optional().describe(
    'Why no claim was made, as the claim would have answered (a pause after failed gold, ' +
      'a full set of open claims); the submission is stored all the same',
  ),
});

export const SubmitResultSchema = z.object({
  assignment: AssignmentSchema,
  feedback: z
    .object({ score: z.number(), expected: JsonObject })
    .optional()
    .describe('Training tasks only: your score and the expected answer'),
  next: NextClaimSchema.optional().describe(
    'When the submission asked for it: the next claim. A retry under the same ' +
      'Idempotency-Key answers the claim the first request made while its lease holds',
  ),
});

export const ReleaseBody = z
  .object({ reason: z.string().trim().min(1).max(500).describe('Why the task is skipped') })
  .strict();

export const ReleaseListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.string().max(100).optional().describe('The last assignment of the previous page'),
  })
  .strict();

export const ReleaseSchema = z.object({
  assignment: z.string(),
  task: z.string(),
  worker: z.string(),
  email: z.string(),
  name: z.string(),
  stage: z.enum(['attempt', 'review', 'audit', 'training', 'evaluation', 'gold']),
  reason: z
    .string()
    .nullable()
    .describe("The worker's reason for a skip, or why a pause or removal gave the claim back"),
  releasedAt: Timestamp,
});

export const MemberSchema = z.object({
  worker: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.enum(['training', 'qualifying', 'active', 'paused', 'unqualified', 'removed']),
  reason: z.string().nullable(),
  qualification: z.object({ answers: z.number().int(), meanScore: z.number().nullable() }),
  gold: z.object({
    answers: z.number().int(),
    accuracy: z
      .number()
      .describe('Posterior mean with a uniform prior: (score + 1) / (answers + 2)'),
  }),
  payRate: z.number().int().nullable(),
});

export const UpdateMemberBody = z
  .object({
    status: z
      .enum(['active', 'paused', 'removed', 'qualifying', 'training'])
      .optional()
      .describe('active reinstates a paused or unqualified annotator'),
    reason: z.string().trim().max(500).optional(),
    payRate: z.number().int().min(0).max(1_000_000).nullable().optional(),
  })
  .strict();

export const MemberParams = z.object({
  project: z.string().min(1).max(200),
  worker: z.string().min(1).max(200),
});

/** Pay settled in one currency, in its minor units. */
const SettledPaySchema = z.object({
  currency: z.string(),
  base: z.number().int(),
  bonus: z.number().int(),
});

export const EarningsSchema = z.object({
  projects: z.array(
    z.object({
      project: z.string(),
      currency: z.string(),
      status: z.string(),
      submitted: z.number().int(),
      accepted: z.number().int(),
      rejected: z.number().int(),
      pending: z.number().int().describe('Submitted, task not finished yet'),
      base: z.number().int().describe("Base pay in the project's currency"),
      bonus: z.number().int().describe("Bonuses in the project's currency"),
      earned: z.number().int().describe("Base and bonuses in the project's currency"),
      paid: z
        .array(SettledPaySchema)
        .describe('Pay in each currency it was settled in (a project can change currency)'),
      activeHours: z.number(),
      hourlyRate: z
        .number()
        .int()
        .nullable()
        .describe("Earned per active hour, in the project's currency's minor units"),
      accuracy: z.number().nullable().describe('Gold accuracy (posterior mean), when measured'),
      rates: JsonObject.describe("The project's pay rates and bonus rule, as applied"),
    }),
  ),
});

export const BatchWorkforceSchema = z.object({
  batch: z.string(),
  project: z.string(),
  tasks: z.object({
    total: z.number().int(),
    completed: z.number().int(),
    pending: z.number().int(),
    inReview: z.number().int(),
  }),
  assignments: z.object({
    active: z.number().int(),
    submitted: z.number().int(),
    late: z.number().int(),
    released: z.number().int(),
    expired: z.number().int(),
  }),
  cost: SettledPaySchema.describe("Pay settled in the project's currency"),
  costs: z
    .array(SettledPaySchema)
    .describe('Pay settled in each currency it was paid in (a project can change currency)'),
  activeHours: z.number(),
  throughputPerHour: z
    .number()
    .nullable()
    .describe('Tasks completed in the last hour (null before the first completes)'),
  eta: Timestamp.nullable().describe('When the pending tasks finish at that pace'),
});

export const PayoutQuery = z
  .object({
    project: z.string().min(1).max(200).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const BatchPriorityBody = z
  .object({
    priority: z.number().int().min(-1000).max(1000).optional().describe('Higher is served first'),
    deadline: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
