import type { AppContext } from '../context';
import { DELIVER_CALLBACK } from '../services/deliveries';
import type { BossQueue } from './boss';
import { callbackWorker, type DeliverCallbackJob } from './callbacks';
import { generateWorker, type GenerateJob } from './generate';
import { GENERATE } from '../services/generations';
import { judgeWorker, type JudgeJob } from './judge';
import { JUDGE } from '../services/judges';

/** Every queue this version of the server uses. */
export const QUEUES: string[] = [DELIVER_CALLBACK, GENERATE, JUDGE];

/** Subscribes this process to the background work. */
export async function startWorkers(queue: BossQueue, ctx: AppContext): Promise<void> {
  await queue.work<DeliverCallbackJob>(DELIVER_CALLBACK, callbackWorker(ctx));
  await queue.work<GenerateJob>(GENERATE, generateWorker(ctx), 1);
  await queue.work<JudgeJob>(JUDGE, judgeWorker(ctx), 1);
}
