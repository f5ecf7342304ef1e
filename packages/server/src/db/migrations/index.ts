import type { Migration } from 'kysely';
import * as initial from './0001_initial';
import * as answers from './0002_answers';
import * as workforce from './0003_workforce';
import * as qualityTaskIndex from './0004_quality_task_index';
import * as ownerPassword from './0005_owner_password';
import * as modelEndpoints from './0006_model_endpoints';
import * as generations from './0007_generations';
import * as judgeVerdicts from './0008_judge_verdicts';
import * as chatAndRedteam from './0009_chat_and_redteam';
import * as labelStudioConfig from './0010_label_studio_config';
import * as taskAnswerCount from './0011_task_answer_count';
import * as drainedWorkItems from './0012_drained_work_items';
import * as queueWriteRoom from './0013_queue_write_room';
import * as queueWithoutForeignKeys from './0014_queue_without_foreign_keys';
import * as submissionFingerprint from './0015_submission_fingerprint';
import * as settlementTime from './0016_settlement_time';
import * as releaseTime from './0017_release_time';

/** Every migration, in order. Append; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_answers': answers,
  '0003_workforce': workforce,
  '0004_quality_task_index': qualityTaskIndex,
  '0005_owner_password': ownerPassword,
  '0006_model_endpoints': modelEndpoints,
  '0007_generations': generations,
  '0008_judge_verdicts': judgeVerdicts,
  '0009_chat_and_redteam': chatAndRedteam,
  '0010_label_studio_config': labelStudioConfig,
  '0011_task_answer_count': taskAnswerCount,
  '0012_drained_work_items': drainedWorkItems,
  '0013_queue_write_room': queueWriteRoom,
  '0014_queue_without_foreign_keys': queueWithoutForeignKeys,
  '0015_submission_fingerprint': submissionFingerprint,
  '0016_settlement_time': settlementTime,
  '0017_release_time': releaseTime,
};
