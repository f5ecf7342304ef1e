import type { AppContext } from '../context';
import { createDeliveryEffects } from '../services/deliveries';
import type { Api } from './types';
import { keyRoutes } from './api/keys';
import { nativeTaskRoutes } from './api/tasks';
import { bulkRoutes } from './api/bulk';
import { deliveryRoutes } from './api/deliveries';
import { answerRoutes } from './api/answers';
import { workRoutes } from './api/work';
import { workforceRoutes } from './api/workforce';
import { modelRoutes } from './api/models';
import { generationRoutes } from './api/generations';
import { chatRoutes } from './api/chat';
import { redteamRoutes } from './api/redteam';
import { exportRoutes } from './api/exports';
import { importRoutes } from './api/imports';
import { projectRoutes } from './v1/projects';
import { batchRoutes } from './v1/batches';
import { taskRoutes } from './v1/tasks';
import { fileRoutes } from './v1/files';

/** Every authenticated route. Each module is a list of short pipelines over services. */
export async function registerRoutes(api: Api, ctx: AppContext): Promise<void> {
  const effects = createDeliveryEffects(ctx.queue, ctx.now);
  keyRoutes(api, ctx);
  projectRoutes(api, ctx);
  batchRoutes(api, ctx, effects);
  taskRoutes(api, ctx, effects);
  await fileRoutes(api, ctx);
  nativeTaskRoutes(api, ctx, effects);
  bulkRoutes(api, ctx, effects);
  deliveryRoutes(api, ctx);
  answerRoutes(api, ctx, effects);
  workforceRoutes(api, ctx);
  workRoutes(api, ctx, effects);
  modelRoutes(api, ctx);
  generationRoutes(api, ctx, effects);
  chatRoutes(api, ctx);
  redteamRoutes(api, ctx, effects);
  exportRoutes(api, ctx);
  await importRoutes(api, ctx, effects);
}
