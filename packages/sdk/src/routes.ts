import { CLAIM_PATH } from '@quorum/core';

/**
 * Every operation of the API and the client method that calls it, as `METHOD /path/{param}`.
 * Methods send requests through this table only, so it is what the SDK covers; a test compares
 * it with the server's `/openapi.json` both ways.
 */
export const SDK_ROUTES = {
  // v1: projects
  'projects.create': 'POST /v1/projects',
  'projects.list': 'GET /v1/projects',
  'projects.get': 'GET /v1/projects/{name}',
  'projects.setParams': 'POST /v1/projects/{name}/setParams',
  // v1: batches
  'batches.create': 'POST /v1/batches',
  'batches.list': 'GET /v1/batches',
  'batches.get': 'GET /v1/batches/{name}',
  'batches.finalize': 'POST /v1/batches/{name}/finalize',
  'batches.status': 'GET /v1/batches/{name}/status',
  'batches.setMetadata': 'POST /v1/batches/{name}/setMetadata',
  // v1: tasks
  'tasks.create': 'POST /v1/task/{type}',
  'tasks.createEvaluation': 'POST /v1/evaluation_tasks/{type}',
  'tasks.createTraining': 'POST /v1/training_tasks/{type}',
  'tasks.get': 'GET /v1/task/{id}',
  'tasks.list': 'GET /v1/tasks',
  'tasks.cancel': 'POST /v1/task/{id}/cancel',
  'tasks.audit': 'POST /v1/task/{id}/audit',
  'tasks.setUniqueId': 'POST /v1/task/{id}/unique_id',
  'tasks.clearUniqueId': 'DELETE /v1/task/{id}/unique_id',
  'tasks.setMetadata': 'POST /v1/task/{id}/setMetadata',
  'tasks.setTags': 'POST /v1/task/{id}/tags',
  'tasks.addTags': 'PUT /v1/task/{id}/tags',
  'tasks.removeTags': 'DELETE /v1/task/{id}/tags',
  // v1: files
  'files.upload': 'POST /v1/files/upload',
  'files.import': 'POST /v1/files/import',
  'files.get': 'GET /v1/files/{id}',
  'files.content': 'GET /v1/files/{id}/content',
  // native: tasks, answers
  'tasks.complete': 'POST /api/v1/tasks/{id}/response',
  'tasks.bulkCreate': 'POST /api/v1/tasks/bulk',
  'tasks.addAnswer': 'POST /api/v1/tasks/{id}/answers',
  'tasks.answers': 'GET /api/v1/tasks/{id}/answers',
  // native: projects (quality, settings, members, exports)
  'projects.settings': 'GET /api/v1/projects/{project}/settings',
  'projects.changeSettings': 'PATCH /api/v1/projects/{project}/settings',
  'projects.aggregate': 'POST /api/v1/projects/{project}/aggregate',
  'projects.quality': 'GET /api/v1/projects/{project}/quality',
  'projects.members': 'GET /api/v1/projects/{project}/workers',
  'projects.releases': 'GET /api/v1/projects/{project}/releases',
  'projects.changeMember': 'PATCH /api/v1/projects/{project}/workers/{worker}',
  'projects.export': 'GET /api/v1/projects/{project}/export',
  'projects.exportStream': 'GET /api/v1/projects/{project}/export',
  // native: imports
  'projects.importTasks': 'POST /api/v1/projects/{project}/import',
  'projects.importArchive': 'POST /api/v1/projects/{project}/import-archive',
  'projects.fromLabelStudioConfig': 'POST /api/v1/projects/from-labelstudio-config',
  // native: batches (workforce)
  'batches.workforce': 'GET /api/v1/batches/{batch}/workforce',
  'batches.setQueue': 'PATCH /api/v1/batches/{batch}/queue',
  // native: callbacks
  'deliveries.list': 'GET /api/v1/deliveries',
  'deliveries.get': 'GET /api/v1/deliveries/{id}',
  'deliveries.redeliver': 'POST /api/v1/deliveries/{id}/redeliver',
  'callbackKeys.get': 'GET /api/v1/callback-keys',
  'callbackKeys.rotate': 'POST /api/v1/callback-keys/rotate',
  // native: API keys
  'keys.create': 'POST /api/v1/keys',
  'keys.list': 'GET /api/v1/keys',
  'keys.revoke': 'DELETE /api/v1/keys/{id}',
  // native: workforce
  'workers.create': 'POST /api/v1/workers',
  'workers.list': 'GET /api/v1/workers',
  'workers.get': 'GET /api/v1/workers/{id}',
  'workers.update': 'PATCH /api/v1/workers/{id}',
  'workers.newToken': 'POST /api/v1/workers/{id}/tokens',
  'workers.payouts': 'GET /api/v1/payouts.csv',
  'sessions.signIn': 'POST /api/v1/sessions',
  'sessions.current': 'GET /api/v1/sessions/current',
  'sessions.signOut': 'DELETE /api/v1/sessions/current',
  'me.get': 'GET /api/v1/me',
  'me.earnings': 'GET /api/v1/me/earnings',
  'me.changePassword': 'POST /api/v1/me/password',
  // native: the annotator's work
  'work.claim': `POST ${CLAIM_PATH}`,
  'work.assignment': 'GET /api/v1/assignments/{id}',
  'work.heartbeat': 'POST /api/v1/assignments/{id}/heartbeat',
  'work.submit': 'POST /api/v1/assignments/{id}/submit',
  'work.release': 'POST /api/v1/assignments/{id}/release',
  'work.chat': 'GET /api/v1/assignments/{id}/chat',
  'work.sendTurn': 'POST /api/v1/assignments/{id}/chat',
  'work.streamTurn': 'POST /api/v1/assignments/{id}/chat',
  // native: models
  'models.create': 'POST /api/v1/models',
  'models.list': 'GET /api/v1/models',
  'models.remove': 'DELETE /api/v1/models/{id}',
  'models.call': 'POST /api/v1/models/{id}/call',
  // native: prompts and generations
  'promptSets.import': 'POST /api/v1/prompt-sets',
  'promptSets.list': 'GET /api/v1/prompt-sets',
  'generations.create': 'POST /api/v1/generations',
  'generations.list': 'GET /api/v1/generations',
  'generations.get': 'GET /api/v1/generations/{id}',
  'generations.resume': 'POST /api/v1/generations/{id}/resume',
  'generations.responses': 'GET /api/v1/generations/{id}/responses',
  'generations.createComparisons': 'POST /api/v1/generations/{id}/comparisons',
  'generations.leaderboard': 'GET /api/v1/generations/{id}/leaderboard',
  'generations.ratings': 'GET /api/v1/generations/{id}/ratings',
  'generations.export': 'GET /api/v1/generations/{id}/export',
  'generations.startJudge': 'POST /api/v1/generations/{id}/judges',
  'generations.judges': 'GET /api/v1/generations/{id}/judges',
  'generations.reviewDisagreements': 'POST /api/v1/generations/{id}/judges/review',
  // native: red teaming
  'redteam.taxonomy': 'GET /api/v1/redteam/taxonomy',
  'redteam.createCampaign': 'POST /api/v1/redteam/campaigns',
  'redteam.campaigns': 'GET /api/v1/redteam/campaigns',
  'redteam.campaign': 'GET /api/v1/redteam/campaigns/{id}',
  'redteam.report': 'GET /api/v1/redteam/campaigns/{id}/report',
  'redteam.export': 'GET /api/v1/redteam/campaigns/{id}/export',
} as const satisfies Record<string, `${HttpMethod} /${string}`>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteName = keyof typeof SDK_ROUTES;

/**
 * POST and PATCH operations whose contract makes a repeat harmless, so they are retried like GET,
 * PUT and DELETE. Others are retried only when the call makes them safe (a task's `unique_id`,
 * a submit's Idempotency-Key).
 */
export const REPEATABLE_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  // Finalizing a batch that is no longer staging answers the batch as it is.
  'batches.finalize',
  // Replacing metadata, tags or a unique_id with the same value leaves the same state.
  'batches.setMetadata',
  'tasks.setMetadata',
  'tasks.setTags',
  'tasks.setUniqueId',
  // Canceling a canceled task answers the task.
  'tasks.cancel',
  // Recomputes every completed response from the same answers.
  'projects.aggregate',
  // PATCHes here set the fields given; repeating sets them again.
  'projects.changeSettings',
  'projects.changeMember',
  'batches.setQueue',
  'workers.update',
  // Extends the lease from now; active time only counts real gaps.
  'work.heartbeat',
  // Picks up lapsed claims; running it twice finds nothing more to pick up.
  'generations.resume',
  // Items already sent for a judge are not sent twice.
  'generations.reviewDisagreements',
]);

/** The method and path template of a route. */
export function routeOf(name: RouteName): { method: HttpMethod; template: string } {
  const [method, template] = SDK_ROUTES[name].split(' ') as [HttpMethod, string];
  return { method, template };
}
