import { SDK_ROUTES } from '@quorum/sdk';

/** The path of the annotator's claim, as the SDK's route table spells it. */
export const CLAIM_PATH = SDK_ROUTES['work.claim'].split(' ')[1]!;
